using Appliance.Devices.Tokens;
using System.Net;
using System.Text.Json.Nodes;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Pipeline;
using Appliance.Policy;
using Appliance.Upbit;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Audit;

/// <summary>
/// The 24 h withdrawal totals survive a restart through the audit log's withdrawal-totals file, and a
/// crash or a lost, stale or foreign file never leaves them below what was really withdrawn.
/// </summary>
public sealed class WithdrawalTotalsTests : IAsyncLifetime
{
    private const string Address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    private static readonly BotProfile Bot = new()
    {
        Name = "payout",
        Thumbprint = "00",
        Credential = "c",
        Scopes = ["withdraw"],
        AllowIps = ["127.0.0.0/8"],
        WithdrawAddresses = [new WithdrawalAddress("BTC", "BTC", Address)],
        WithdrawCaps = [new WithdrawalCap("BTC", null, 1m)],
    };

    private readonly AuditTestLog _t = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private FileAuditLog? _log;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await Close();
        await _t.DisposeAsync();
    }

    private string TotalsFile => Path.Combine(_t.Directory, WithdrawalTotalsFile.FileName);

    private WithdrawalPolicy Start()
    {
        _log = FileAuditLog.Open(_t.Directory, new TokenCheckpointSigner(_t.Token), _t.Options, _clock);
        return new WithdrawalPolicy(_clock, _log.WithdrawalTotals);
    }

    private async Task Close()
    {
        if (_log is not null) await _log.DisposeAsync();
        _log = null;
    }

    private static List<UpbitParam> Params(string amount) =>
        [new("currency", "BTC"), new("net_type", "BTC"), new("amount", amount), new("address", Address)];

    private static WithdrawalReservation? Reserve(WithdrawalPolicy policy, string amount) =>
        policy.Reserve(Bot, RequestValidator.Validate("POST", "/v1/withdraws/coin", Params(amount)), Params(amount));

    /// <summary>What the pipeline does for a withdrawal: reserve, record it signed, commit.</summary>
    private async Task Withdraw(WithdrawalPolicy policy, string amount)
    {
        using var reservation = Reserve(policy, amount)!;
        await RecordSigned(amount);
        reservation.Commit();
    }

    private Task RecordSigned(string amount) => _log!.RecordAsync(new SignDecision(
        Guid.NewGuid().ToString("N"), _clock.GetUtcNow(), Outcome.Signed, null, Bot.Name, IPAddress.Loopback.ToString(), "c",
        "POST", "/v1/withdraws/coin", Params(amount), "button", Guid.NewGuid().ToString(), new string('a', 64)), CancellationToken.None).AsTask();

    private static void AssertOverCap(WithdrawalPolicy policy, string amount) =>
        Assert.Equal(Reasons.WithdrawLimit, Assert.Throws<SignRefusal>(() => Reserve(policy, amount)).Reason);

    [Fact]
    public async Task Signed_withdrawals_still_count_after_a_restart_for_the_rest_of_their_24_hours()
    {
        await Withdraw(Start(), "0.6");
        await Close();
        _clock.Advance(TimeSpan.FromHours(20));

        var policy = Start();
        Assert.Empty(_log!.StartWarnings); // the file was trusted: nothing rebuilt, nothing scanned
        Assert.Equal(0.6m, policy.UsedInWindow("payout", "BTC"));
        AssertOverCap(policy, "0.5");
        _clock.Advance(TimeSpan.FromHours(4));
        Assert.Equal(0m, policy.UsedInWindow("payout", "BTC"));
    }

    [Fact]
    public async Task A_crash_between_reserving_and_committing_counts_the_amount_from_the_restart()
    {
        var policy = Start();
        _ = Reserve(policy, "0.7"); // saved before signing; the process dies before it learns the outcome
        await Close();
        _clock.Advance(TimeSpan.FromHours(23));

        policy = Start();
        Assert.Equal(0.7m, policy.UsedInWindow("payout", "BTC"));
        _clock.Advance(TimeSpan.FromHours(23)); // 46 h after the reservation, 23 h after the restart
        Assert.Equal(0.7m, policy.UsedInWindow("payout", "BTC"));
        _clock.Advance(TimeSpan.FromHours(1.5));
        Assert.Equal(0m, policy.UsedInWindow("payout", "BTC"));
    }

    [Fact]
    public async Task A_lost_file_is_rebuilt_from_the_last_24_hours_of_the_log_and_said_so()
    {
        var policy = Start();
        await Withdraw(policy, "0.2");
        _clock.Advance(TimeSpan.FromHours(25));
        await Withdraw(policy, "0.4");
        await Close();
        File.Delete(TotalsFile);

        policy = Start();
        var warning = Assert.Single(_log!.StartWarnings);
        Assert.Contains("was missing", warning);
        Assert.Contains("1 signed withdrawal(s) in the last 24 h", warning);
        Assert.Equal(0.4m, policy.UsedInWindow("payout", "BTC"));
        // Rebuilt entries count a minute longer than their record says: the token left after the record.
        _clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(30));
        Assert.Equal(0.4m, policy.UsedInWindow("payout", "BTC"));
    }

    [Fact]
    public async Task A_stale_copy_put_back_is_not_trusted()
    {
        var policy = Start();
        await Withdraw(policy, "0.3");
        var old = File.ReadAllBytes(TotalsFile);
        await Withdraw(policy, "0.5");
        await Close(); // the final checkpoint moves the anchor past the old copy's
        File.WriteAllBytes(TotalsFile, old);

        policy = Start();
        Assert.Contains("older than the last checkpoint", Assert.Single(_log!.StartWarnings));
        Assert.Equal(0.8m, policy.UsedInWindow("payout", "BTC"));
    }

    [Fact]
    public async Task A_file_from_another_log_or_one_missing_a_signed_withdrawal_is_not_trusted()
    {
        var policy = Start();
        await Withdraw(policy, "0.1");
        await Close();
        var doc = JsonNode.Parse(File.ReadAllText(TotalsFile))!;
        doc["anchor"]!["hash"] = new string('0', 64);
        File.WriteAllText(TotalsFile, doc.ToJsonString());

        policy = Start();
        Assert.Contains("not that record's", Assert.Single(_log!.StartWarnings));
        Assert.Equal(0.1m, policy.UsedInWindow("payout", "BTC"));

        // A withdrawal recorded as signed after the file's anchor, but absent from it (the file lost a write).
        await RecordSigned("0.25");
        await Close();
        doc = JsonNode.Parse(File.ReadAllText(TotalsFile))!;
        var records = _t.Records();
        var before = records[records.FindLastIndex(r => r.Entry.Decision == "signed") - 1];
        doc["anchor"]!["seq"] = before.Seq;
        doc["anchor"]!["hash"] = before.Hash;
        File.WriteAllText(TotalsFile, doc.ToJsonString());
        // The clean stop's checkpoint would put the anchor out of reach; cut it as a crash would have.
        var lines = _t.Lines();
        _t.WriteLines(lines[..^2]);

        policy = Start();
        Assert.Contains("lacks the withdrawal signed in audit record", Assert.Single(_log!.StartWarnings));
        Assert.Equal(0.35m, policy.UsedInWindow("payout", "BTC"));
    }

    [Fact]
    public void A_reservation_that_cannot_be_saved_refuses_the_withdrawal_and_holds_nothing()
    {
        var policy = Start();
        File.Delete(TotalsFile);
        Directory.CreateDirectory(TotalsFile); // the rename onto it fails, as a full or read-only disk would

        var e = Assert.Throws<SignRefusal>(() => Reserve(policy, "0.1"));
        Assert.Equal(Reasons.AuditUnavailable, e.Reason);
        Assert.DoesNotContain(_t.Directory, e.Message); // no path to a bot
        Assert.Equal(0m, policy.UsedInWindow("payout", "BTC"));
    }
}
