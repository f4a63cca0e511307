using Appliance.Alerts;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Tests.Audit;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;
using Appliance.Token;
using Grpc.Core;

namespace Appliance.Tests.Policy;

/// <summary>
/// The running server (Kestrel, mTLS, software token) against policy files changed under it: what is not signed
/// grants nothing, narrowing needs no token, and a revocation survives putting an older signed file back, live and
/// across a restart.
/// </summary>
public sealed class SignedPolicyEndToEndTests
{
    private static readonly TimeSpan Reload = TimeSpan.FromSeconds(3);

    private static string BotFile(TestAppliance a) => new BotStore(a.Data.Root).PathOf(DemoSetup.BotName);

    private static NoTokenSigner NoToken(TestAppliance a) => new(TokenDescriptor.Load(a.Data.TokenFile).PublicKey(KeySlot.Policy));

    /// <summary>Polls the bot until the call is refused with <paramref name="reason"/> (or the time is up).</summary>
    private static async Task<string?> RefusedWithin(Func<Task> call, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            try { await call(); }
            catch (RpcException e) { return e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason ?? (IsHandshakeRefusal(e) ? NotAdmitted : e.Status.Detail); }
            await Task.Delay(20);
        }
        return null;
    }

    /// <summary>A bot whose profile did not load is unknown to the TLS handshake, which admits only issued certificates.</summary>
    private const string NotAdmitted = "refused in the TLS handshake";

    private static bool IsHandshakeRefusal(RpcException e) => e.StatusCode is StatusCode.Unavailable or StatusCode.Internal && e.GetRpcStatus() is null;

    /// <summary>Refused as a bot the appliance does not know: in the handshake, or (on a connection opened before) per request.</summary>
    private static async Task AssertNotAdmitted(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(IsHandshakeRefusal(e) || (e.StatusCode == StatusCode.Unauthenticated
            && e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason == Reasons.UnknownBot), e.ToString());
    }

    private static List<Alert> Record(TestAppliance a)
    {
        var raised = new List<Alert>();
        a.Server.Alerts.AlertRaised += alert => { lock (raised) raised.Add(alert); };
        return raised;
    }

    [Fact]
    public async Task A_profile_widened_on_disk_without_a_signature_grants_nothing_and_raises_an_alert()
    {
        await using var appliance = await TestAppliance.StartAsync();
        var raised = Record(appliance);
        using var client = appliance.Client();
        await client.SendAsync("GET", "/v1/accounts", []);

        // Someone with write access to the data dir, but no token, lifts the bot's caps and adds a market.
        var path = BotFile(appliance);
        var edited = File.ReadAllText(path).Replace("\"markets\": []", "\"markets\": [\"KRW-BTC\", \"KRW-XRP\"]", StringComparison.Ordinal)
            .Replace("\"scopes\": [", "\"scopes\": [\n    \"deposit\",", StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText(path), edited);
        File.WriteAllText(path, edited);

        Assert.Equal(NotAdmitted, await RefusedWithin(() => client.SendAsync("GET", "/v1/accounts", []), Reload));
        await AssertNotAdmitted(() => client.SendAsync("GET", "/v1/accounts", []));
        await AuditChainTests.WaitUntil(() => AuditReader.ReadAll(appliance.Data.AuditDir)
            .Any(r => r.Entry.Kind == AuditKind.Alert && r.Entry.Reason == AlertRuleNames.PolicyRejected && r.Entry.Bot == DemoSetup.BotName));
        lock (raised) Assert.Contains(raised, a => a.Rule == AlertRuleNames.PolicyRejected && a.Message.Contains("changed after it was signed"));
        var status = PolicyInventory.Check(appliance.Data).Single(i => i.Key == PolicyRecordKey.Bot(DemoSetup.BotName));
        Assert.False(status.Verdict.Ok);
    }

    [Fact]
    public async Task A_bot_file_written_by_hand_is_not_loaded_and_the_other_bots_still_are()
    {
        await using var appliance = await TestAppliance.StartAsync();
        using var client = appliance.Client();
        // A new bot that pins the demo bot's certificate, with every scope, unsigned; and a file that is not JSON at all.
        var demo = new BotStore(appliance.Data.Root).Load(DemoSetup.BotName);
        var store = new BotStore(appliance.Data.Root);
        store.Save(demo with { Name = "forged", Scopes = ["withdraw", "deposit", "trade"], Policy = null });
        File.WriteAllText(store.PathOf("garbage"), "{ not json");
        appliance.Server.Bots.Reload();

        // The forged profile is skipped (it would take the same certificate); the demo bot keeps working.
        await client.SendAsync("GET", "/v1/accounts", []);
        var statuses = PolicyInventory.Check(appliance.Data).ToDictionary(i => i.Key.ToString());
        Assert.True(statuses["bot/forged"].Verdict.Unsigned);
        Assert.Contains("cannot be read", statuses["bot/garbage"].Verdict.Problem);

        // And a revocation still reaches the server with both bad files present (issue 10: one bad file never blocks reloads).
        new BotEnrollment(appliance.Data, TimeProvider.System, NoToken(appliance)).Revoke(DemoSetup.BotName);
        Assert.Equal(Reasons.BotRevoked, await RefusedWithin(() => client.SendAsync("GET", "/v1/accounts", []), Reload));
    }

    [Fact]
    public async Task A_revocation_needs_no_key_and_putting_the_old_signed_file_back_does_not_undo_it()
    {
        await using var appliance = await TestAppliance.StartAsync();
        using var client = appliance.Client();
        await client.SendAsync("GET", "/v1/accounts", []);
        var path = BotFile(appliance);
        var beforeRevoke = File.ReadAllBytes(path); // a validly signed copy, e.g. from a backup

        var noToken = NoToken(appliance);
        var revoked = new BotEnrollment(appliance.Data, TimeProvider.System, noToken).Revoke(DemoSetup.BotName);
        Assert.Equal(0, noToken.Attempts);
        Assert.True(revoked.Policy!.IsNarrowed);
        Assert.Equal(Reasons.BotRevoked, await RefusedWithin(() => client.SendAsync("GET", "/v1/accounts", []), Reload));
        // The command returned only after the server anchored the revocation.
        Assert.Contains(AuditReader.ReadAll(appliance.Data.AuditDir), r => r.Entry.Kind == AuditKind.Policy
            && r.Entry.Bot == DemoSetup.BotName && r.Entry.Reason == PolicyChanges.Narrowed);

        File.WriteAllBytes(path, beforeRevoke);
        appliance.Server.Bots.Reload();
        await AssertNotAdmitted(() => client.SendAsync("GET", "/v1/accounts", []));
        var status = PolicyInventory.Check(appliance.Data).Single(i => i.Key == PolicyRecordKey.Bot(DemoSetup.BotName));
        Assert.Contains("older than version", status.Verdict.Problem);
    }

    [Fact]
    public async Task A_revocation_made_while_the_server_is_down_holds_after_the_old_file_is_put_back_and_the_server_restarts()
    {
        using var dir = new TempDir();
        var data = new DataDir(dir.Sub("data"));
        TestAppliance.MakeDemoDataDir(data);
        var bundle = Path.Combine(data.Root, "bundles", DemoSetup.BotName);
        byte[] beforeRevoke;
        await using (var first = await TestAppliance.StartOnAsync(data))
        {
            using var client = first.Client(bundle);
            await client.SendAsync("GET", "/v1/accounts", []);
            beforeRevoke = File.ReadAllBytes(BotFile(first));
        }

        // No server, no token: the revocation is anchored straight into the audit log; then the old file is put back.
        var noToken = new NoTokenSigner(TokenDescriptor.Load(data.TokenFile).PublicKey(KeySlot.Policy));
        new BotEnrollment(data, TimeProvider.System, noToken).Revoke(DemoSetup.BotName);
        Assert.Equal(0, noToken.Attempts);
        File.WriteAllBytes(new BotStore(data.Root).PathOf(DemoSetup.BotName), beforeRevoke);

        await using var second = await TestAppliance.StartOnAsync(data);
        using var again = second.Client(bundle);
        await AssertNotAdmitted(() => again.SendAsync("GET", "/v1/accounts", []));
        Assert.Contains("older than version", PolicyInventory.Check(data).Single(i => i.Key == PolicyRecordKey.Bot(DemoSetup.BotName)).Verdict.Problem);
    }

    [Fact]
    public async Task Lowering_a_cap_needs_no_token_and_applies_while_raising_it_needs_the_signature()
    {
        await using var appliance = await TestAppliance.StartAsync();
        using var client = appliance.Client();
        KeyValuePair<string, string>[] order = [new("market", "KRW-BTC"), new("side", "bid"), new("volume", "0.01"), new("price", "100000000"), new("ord_type", "limit")];
        await client.SendAsync("POST", "/v1/orders", order);

        var noToken = NoToken(appliance);
        var enrollment = new BotEnrollment(appliance.Data, TimeProvider.System, noToken);
        var (_, signed) = enrollment.Update(DemoSetup.BotName, b => b with { MaxOrderVolume = 0.001m, Markets = ["KRW-BTC"] });
        Assert.False(signed);
        Assert.Equal(0, noToken.Attempts);
        Assert.Equal(Reasons.OrderLimit, await RefusedWithin(() => client.SendAsync("POST", "/v1/orders", order), Reload));

        // Raising it to 1 is still within what was signed (no volume cap): no token either, and it applies.
        var (raised, _) = enrollment.Update(DemoSetup.BotName, b => b with { MaxOrderVolume = 1m });
        Assert.True(raised.Policy!.IsNarrowed);
        Assert.Equal(0, noToken.Attempts);
        appliance.Server.Bots.Reload();
        await client.SendAsync("POST", "/v1/orders", order);

        // A scope it was never signed for widens: it asks the token, which is absent, and nothing changes on disk.
        var before = File.ReadAllText(BotFile(appliance));
        Assert.Throws<InvalidOperationException>(() => enrollment.Update(DemoSetup.BotName, b => b with { Scopes = [.. b.Scopes, "deposit"] }));
        Assert.Equal(1, noToken.Attempts);
        Assert.Equal(before, File.ReadAllText(BotFile(appliance)));

        // With the token (the demo's software token) it is signed: a fresh signature, no narrowing left to carry.
        var (widened, signedNow) = new BotEnrollment(appliance.Data, TimeProvider.System).Update(DemoSetup.BotName, b => b with { Scopes = [.. b.Scopes, "deposit"] });
        Assert.True(signedNow);
        Assert.False(widened.Policy!.IsNarrowed);
        Assert.True(widened.Policy.Version > raised.Policy.Version);
        appliance.Server.Bots.Reload();
        await client.SendAsync("POST", "/v1/orders", order);
        Assert.True(PolicyInventory.Check(appliance.Data).Single(i => i.Key == PolicyRecordKey.Bot(DemoSetup.BotName)).Verdict.Ok);
    }

    [Fact]
    public async Task A_credential_sealed_by_hand_is_not_loaded()
    {
        await using var appliance = await TestAppliance.StartAsync(prepare: data =>
        {
            // Sealing needs only the public key, so anyone who can read token.json can make an envelope; only the token can sign it.
            var pinned = TokenDescriptor.Load(data.TokenFile);
            var meta = new Appliance.Sealing.CredentialMetadata("sneaky", "sneaky-access", Appliance.Sealing.ApprovalMode.None,
                ["trade", "view-assets"], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(30));
            new Appliance.Sealing.CredentialStore(data.Root).Add(Appliance.Sealing.CredentialSealer.Seal(meta, pinned.PublicKey(KeySlot.Seal), "x"u8));
            var bots = new BotStore(data.Root);
            var bot = bots.Load(DemoSetup.BotName);
            new BotEnrollment(data, TimeProvider.System).Update(DemoSetup.BotName, b => b with { Credentials = [.. b.Credentials, "sneaky"] });
        });
        using var client = appliance.Client();
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.UnknownCredential,
            () => client.SendAsync("GET", "/v1/accounts", [], credential: "sneaky"));
        await client.SendAsync("GET", "/v1/accounts", []);
    }
}

/// <summary>The same with the hardware key pulled out of the appliance: a revocation still goes through and applies.</summary>
public sealed class RevocationWithoutTheKeyTests
{
    [Fact]
    public async Task With_the_key_unplugged_a_revocation_still_applies()
    {
        await using var fake = await Appliance.Tests.Devices.Tokens.FakeTokenAppliance.StartAsync();
        using var client = fake.Client();
        await client.SendAsync("GET", "/v1/accounts", []);
        fake.Key.Unplug();
        fake.Inserted = null;
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.KeyAbsent, async () =>
        {
            for (var i = 0; i < 200; i++) { await client.SendAsync("GET", "/v1/accounts", []); await Task.Delay(10); }
        });

        var noToken = new NoTokenSigner(TokenDescriptor.Load(fake.Appliance.Data.TokenFile).PublicKey(KeySlot.Policy));
        new BotEnrollment(fake.Appliance.Data, TimeProvider.System, noToken).Revoke(DemoSetup.BotName);
        Assert.Equal(0, noToken.Attempts);
        // The revocation reaches the server at its next reload and closes the bot's connections: a call caught in that
        // close fails UNAVAILABLE, and one before the reload is refused KEY_ABSENT; the next is BOT_REVOKED.
        await RpcRefusals.AssertRefused(StatusCode.Unauthenticated, Reasons.BotRevoked, async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                try { await client.SendAsync("GET", "/v1/accounts", []); }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.FailedPrecondition) { }
                await Task.Delay(20);
            }
        });
        Assert.Contains(AuditReader.ReadAll(fake.Appliance.Data.AuditDir), r => r.Entry.Kind == AuditKind.Policy
            && r.Entry.Bot == DemoSetup.BotName && r.Entry.Reason == PolicyChanges.Narrowed);
    }
}
