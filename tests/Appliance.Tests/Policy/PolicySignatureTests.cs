using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Devices.Tokens;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Token;

namespace Appliance.Tests.Policy;

/// <summary>Seals, statements and the verifier, with a software token's policy key: pure, no server.</summary>
public sealed class PolicySignatureTests : IDisposable
{
    private readonly SoftwareToken _token = SoftwareToken.Create();
    private readonly SoftwareToken _other = SoftwareToken.Create();
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    public void Dispose()
    {
        _token.Dispose();
        _other.Dispose();
    }

    private byte[] Key => _token.GetPublicKey(KeySlot.Policy);

    private static BotProfile Bot(string name = "grid") => new()
    {
        Name = name,
        Thumbprint = new string('a', 64),
        Credential = "main",
        Scopes = ["trade", "view-orders"],
        AllowIps = ["10.0.0.0/8"],
        Markets = ["KRW-BTC", "KRW-ETH"],
        MaxOrderNotional = 1_000_000m,
        WithdrawCaps = [new WithdrawalCap("BTC", 0.1m, 0.5m)],
        Created = Now,
        CertExpires = Now.AddYears(1),
    };

    private BotProfile Signed(BotProfile bot, long version = 1, SoftwareToken? by = null)
    {
        var entry = PolicySigning.Entry(bot, version);
        return bot with { Policy = PolicySigning.Sign(new TokenPolicySigner(by ?? _token), [entry], Now)[entry.Key] };
    }

    private PolicyVerdict Verify(BotProfile bot, long floor = 0) => PolicyVerifier.Bot(bot, PolicyRecordKey.Bot(bot.Name), Key, floor);

    /// <summary>What a profile looks like after a trip through its file.</summary>
    private static BotProfile RoundTrip(BotProfile bot) =>
        JsonSerializer.Deserialize<BotProfile>(JsonSerializer.Serialize(bot))!;

    [Fact]
    public void A_signed_profile_verifies_after_a_round_trip_through_its_file()
    {
        var verdict = Verify(RoundTrip(Signed(Bot())));
        Assert.True(verdict.Ok, verdict.Problem);
        Assert.Equal(PolicyChanges.Signed, verdict.Change);
        Assert.Equal(1, verdict.Version);
    }

    [Fact]
    public void Unsigned_is_reported_as_unsigned_and_names_sign_all()
    {
        var verdict = Verify(Bot());
        Assert.False(verdict.Ok);
        Assert.True(verdict.Unsigned);
        Assert.Contains("policy sign-all", verdict.Problem);
    }

    public static TheoryData<string> Widenings => ["cap", "scope", "market", "address", "pocket", "thumbprint", "unrevoke"];

    [Theory]
    [MemberData(nameof(Widenings))]
    public void Any_change_to_signed_content_is_refused(string what)
    {
        var signed = Signed(Bot() with { Revoked = Now });
        BotProfile edited = what switch
        {
            "cap" => signed with { MaxOrderNotional = 2_000_000m },
            "scope" => signed with { Scopes = [.. signed.Scopes, "withdraw"] },
            "market" => signed with { Markets = [] },
            "address" => signed with { Scopes = [.. signed.Scopes, "withdraw"], WithdrawAddresses = [new WithdrawalAddress("BTC", "BTC", "bc1qattacker")] },
            "pocket" => signed with { TransferPockets = ["attacker-pocket"] },
            "thumbprint" => signed with { Thumbprint = new string('b', 64) },
            _ => signed with { Revoked = null },
        };
        var verdict = Verify(RoundTrip(edited));
        Assert.False(verdict.Ok);
        Assert.False(verdict.Unsigned);
        Assert.Contains("changed after it was signed", verdict.Problem);
    }

    [Fact]
    public void A_signature_by_another_key_or_for_another_bot_is_refused()
    {
        Assert.Contains("does not verify", Verify(Signed(Bot(), by: _other)).Problem);
        // A valid seal copied from bot "grid" onto bot "scalper".
        var grid = Signed(Bot());
        var copied = Bot("scalper") with { Policy = grid.Policy };
        Assert.Contains("covers other records", Verify(copied).Problem);
        // The seal's version edited to dodge a floor: the statement still says 1.
        Assert.Contains("covers version 1", Verify(grid with { Policy = grid.Policy! with { Version = 7, SignedVersion = 7 } }).Problem);
    }

    [Fact]
    public void Narrowing_keeps_the_signature_and_verifies_and_widening_past_the_signed_content_does_not()
    {
        var signed = Signed(Bot());
        var narrowed = PolicySigning.Narrow(signed, signed with
        {
            MaxOrderNotional = 10m, Markets = ["KRW-BTC"], Scopes = ["view-orders"], Revoked = Now,
            WithdrawCaps = [new WithdrawalCap("BTC", 0.01m, 0.5m), new WithdrawalCap("ETH", 1m, null)],
        }, 2);
        var verdict = Verify(RoundTrip(narrowed));
        Assert.True(verdict.Ok, verdict.Problem);
        Assert.Equal(PolicyChanges.Narrowed, verdict.Change);
        Assert.Equal(2, verdict.Version);

        // Narrowed again from the narrowed one: still judged against what was signed.
        var again = PolicySigning.Narrow(narrowed, narrowed with { MaxOrderNotional = 500_000m }, 3);
        Assert.True(Verify(RoundTrip(again)).Ok);

        // Hand edits past the signed content are refused, naming the members.
        var tooFar = RoundTrip(narrowed with { MaxOrderNotional = 5_000_000m, Scopes = ["trade", "withdraw"] });
        var refused = Verify(tooFar);
        Assert.False(refused.Ok);
        Assert.Contains("max_order_notional", refused.Problem);
        Assert.Contains("scopes", refused.Problem);
        Assert.Throws<InvalidOperationException>(() => PolicySigning.Narrow(signed, signed with { Markets = [] }, 2));
        Assert.Throws<InvalidOperationException>(() => PolicySigning.Narrow(signed, signed with { WithdrawCaps = [] }, 2));
    }

    [Fact]
    public void A_version_below_its_anchored_floor_is_refused()
    {
        var v1 = Signed(Bot(), version: 1);
        Assert.True(Verify(v1, floor: 1).Ok);
        var verdict = Verify(v1, floor: 2);
        Assert.False(verdict.Ok);
        Assert.Contains("older than version 2 anchored in the audit log", verdict.Problem);
    }

    [Fact]
    public void One_signature_covers_many_records_and_each_verifies_alone()
    {
        var a = Bot("a");
        var b = Bot("b");
        var seals = PolicySigning.Sign(new TokenPolicySigner(_token), [PolicySigning.Entry(a, 3), PolicySigning.Entry(b, 1)], Now);
        Assert.Equal(seals[PolicyRecordKey.Bot("a")].Signature, seals[PolicyRecordKey.Bot("b")].Signature);
        Assert.True(Verify(a with { Policy = seals[PolicyRecordKey.Bot("a")] }).Ok);
        Assert.True(Verify(b with { Policy = seals[PolicyRecordKey.Bot("b")] }).Ok);
        Assert.False(Verify(b with { Policy = seals[PolicyRecordKey.Bot("a")] }).Ok);
    }

    [Fact]
    public void A_member_added_to_BotProfile_later_does_not_change_the_hash_until_it_is_set()
    {
        // A profile file written before transfer_pockets existed hashes like one with an empty list.
        var bot = Bot();
        var node = JsonNode.Parse(JsonSerializer.Serialize(bot))!.AsObject();
        node.Remove("transfer_pockets");
        var old = JsonSerializer.Deserialize<BotProfile>(node.ToJsonString())!;
        Assert.Equal(PolicyCanonical.Sha256(bot), PolicyCanonical.Sha256(old));
        Assert.NotEqual(PolicyCanonical.Sha256(bot), PolicyCanonical.Sha256(bot with { TransferPockets = ["p"] }));
    }

    [Fact]
    public void Statements_must_be_canonical()
    {
        var statement = new PolicyStatement(Now, [new PolicyStatementEntry(PolicyRecordKey.Bot("b"), 2, new string('0', 64)),
            new PolicyStatementEntry(PolicyRecordKey.Credential("a"), 1, new string('1', 64))]);
        var bytes = statement.ToBytes();
        Assert.Equal(bytes, PolicyStatement.Parse(bytes).ToBytes());
        var spaced = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(bytes).Replace(",", ", "));
        Assert.Throws<FormatException>(() => PolicyStatement.Parse(spaced));
        Assert.Throws<ArgumentException>(() => new PolicyStatement(Now, []));
    }
}
