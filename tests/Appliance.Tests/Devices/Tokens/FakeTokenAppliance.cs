using System.Text;
using Appliance.Client;
using Appliance.Common;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Sealing;
using Appliance.Tests.EndToEnd;
using Appliance.Token;
using Appliance.Credentials;
using Appliance.Devices.Tokens;
using Appliance.Upbit;
using Appliance.Server;
using Appliance.StandIn;
using Appliance.Tests.FakeUpbit;

namespace Appliance.Tests.Devices.Tokens;

/// <summary>
/// A real appliance (TestAppliance: Kestrel, mTLS, gRPC) whose token is a <see cref="FakeYubiKey"/>
/// pinned in token.json, with the demo credential (no touch) and a touch-gated credential both sealed
/// to it, and a "USB port" the reopen factory opens from, so tests can pull, re-plug or swap keys.
/// </summary>
public sealed class FakeTokenAppliance : IAsyncDisposable
{
    public const string TouchCredential = "touchy";
    public const string TouchAccessKey = "touch-access-key";
    public const string TouchSecret = "touch-secret-0123456789abcdefghijklmnopqrstu";

    private readonly List<TokenPresenceEvent> _events = [];

    private FakeTokenAppliance(FakeYubiKey key, TestAppliance appliance, RecordingTouchPrompt prompts)
    {
        Key = key;
        Inserted = key;
        Appliance = appliance;
        Prompts = prompts;
        appliance.Server.Token.Changed += e => { lock (_events) _events.Add(e); };
    }

    /// <summary>The key token.json pins.</summary>
    public FakeYubiKey Key { get; }

    /// <summary>The key in the port; the monitor's reopen opens this one.</summary>
    public FakeYubiKey? Inserted { get; set; }

    public TestAppliance Appliance { get; }

    public RecordingTouchPrompt Prompts { get; }

    public IReadOnlyList<TokenPresenceEvent> Events
    {
        get { lock (_events) return _events.ToList(); }
    }

    /// <param name="configure">More setup after the fake key's (a panel, approval options).</param>
    public static async Task<FakeTokenAppliance> StartAsync(Action<FakeYubiKey>? tune = null, TokenPresenceOptions? options = null,
        Func<ServerSetup, ServerSetup>? configure = null)
    {
        var key = new FakeYubiKey();
        tune?.Invoke(key);
        var prompts = new RecordingTouchPrompt();
        FakeTokenAppliance? self = null;
        var appliance = await TestAppliance.StartAsync(
            prepare: data => Provision(data, key),
            // The stand-in exchange knows the demo bot's withdrawal address, as Upbit knows a registered one.
            exchangeOptions: FakeUpbitServer.Quiet(new StandInWithdrawAddress("BTC", "BTC", "bc1qexampleaddress")),
            configure: setup =>
            {
                setup.Token.Dispose(); // the software copy TestAppliance opened; the fake session replaces it
                return (configure ?? (s => s))(setup with
                {
                    Token = key.Open(),
                    ReopenToken = () => (self?.Inserted ?? throw new InvalidOperationException("No key in the port.")).Open(),
                    TouchPrompt = prompts,
                    TokenOptions = options ?? new TokenPresenceOptions(),
                });
            });
        appliance.Exchange.AddKey(TouchAccessKey, TouchSecret);
        self = new FakeTokenAppliance(key, appliance, prompts);
        return self;
    }

    /// <summary>Pins the fake key in token.json and seals the credentials to it.</summary>
    private static void Provision(DataDir data, FakeYubiKey key)
    {
        key.Keys.Save(data.SoftwareTokenFile);
        TokenDescriptor.Pin(key.Keys, TokenDescriptor.SoftwareKind).Save(data.TokenFile);
        var credentials = new CredentialProvisioning(data, TimeProvider.System);
        foreach (var name in new[] { DemoSetup.CredentialName, DemoSetup.WithdrawCredentialName })
        {
            using var secret = Secret(TestAppliance.Secret);
            credentials.Rotate(name, null, null, secret); // re-sealed to the fake key pinned above
        }
        using (var secret = Secret(TouchSecret))
            credentials.Add(TouchCredential, TouchAccessKey, ApprovalMode.Touch, [.. DemoSetup.Scopes, "withdraw"], null, secret);
        // The demo bot may withdraw with the touch credential, or with the demo's withdraw credential (button approval).
        var bots = new BotStore(data.Root);
        var bot = bots.Load(DemoSetup.BotName);
        bots.Save(bot with
        {
            Credentials = [TouchCredential, DemoSetup.WithdrawCredentialName],
            Scopes = [.. bot.Scopes, "withdraw"],
            WithdrawAddresses = [WithdrawalAddress.Parse("BTC:BTC:bc1qexampleaddress")],
            Policy = null,
        });
        // The fake key replaced the demo's token: sign everything with its policy key, as an operator would after init --force.
        new PolicySignAll(data, TimeProvider.System, new DataDirPolicySigner(data)).Run();
    }

    private static SecretBytes Secret(string value) => SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(value));

    public ApplianceClient Client() => Appliance.Client();

    /// <summary>Polls (1 ms) until <paramref name="condition"/> holds; false after <paramref name="timeout"/>.</summary>
    public static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(1);
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await Appliance.DisposeAsync();
        Key.Dispose();
    }
}

/// <summary>The panel's side of a touch: records prompts and when they end.</summary>
public sealed class RecordingTouchPrompt : ITouchPrompt
{
    private int _begun;
    private int _ended;

    public int Begun => Volatile.Read(ref _begun);

    public int Ended => Volatile.Read(ref _ended);

    public TouchPromptInfo? Last { get; private set; }

    public IDisposable Begin(TouchPromptInfo info)
    {
        Last = info;
        Interlocked.Increment(ref _begun);
        return new End(this);
    }

    private sealed class End(RecordingTouchPrompt owner) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) Interlocked.Increment(ref owner._ended);
        }
    }
}
