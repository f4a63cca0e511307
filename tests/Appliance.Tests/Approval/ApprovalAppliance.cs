using System.Text;
using Appliance.Approval;
using Appliance.Client;
using Appliance.Common;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Sealing;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.FakeUpbit;
using Appliance.V1;
using Google.Protobuf.WellKnownTypes;

namespace Appliance.Tests.Approval;

/// <summary>
/// A real appliance with a <see cref="TestPanel"/>, a withdraw-capable credential and a bot of its
/// own (unique name, so its metric samples are its own) whose policy allows two destinations and
/// caps BTC at 0.5 per withdrawal and 1 per 24 h, plus the stand-in Upbit that knows the key.
/// </summary>
public sealed class ApprovalAppliance : IAsyncDisposable
{
    public const string Credential = "treasury";
    public const string AccessKey = "treasury-access-key";
    public const string Secret = "treasury-secret-0123456789abcdefghijklmnop";
    public const string BtcAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    public const string XrpAddress = "rLNaPoKeeBjZe2qs6x52yVPZpZ8td4dc6w";
    public const string XrpMemo = "123456";

    /// <summary>The main pocket's opening KRW balance at the stand-in.</summary>
    public const decimal MainKrw = 100_000_000m;

    /// <summary>Short enough to keep tests quick; presses come right after the prompt appears.</summary>
    public static readonly ApprovalOptions FastOptions = new() { TimeoutSeconds = 5, MinViewMilliseconds = 0 };

    private ApprovalAppliance(TestAppliance appliance, TestPanel panel, FakeUpbitServer upbit, string bot)
    {
        Appliance = appliance;
        Panel = panel;
        Upbit = upbit;
        Bot = bot;
        Records = new SignRecords(bot);
        Client = appliance.Client(TestAppliance.BundleFor(appliance.Data, bot));
    }

    public TestAppliance Appliance { get; }
    public TestPanel Panel { get; }
    public FakeUpbitServer Upbit { get; }
    public string Bot { get; }
    public SignRecords Records { get; }
    public ApplianceClient Client { get; }

    public static async Task<ApprovalAppliance> StartAsync(ApprovalOptions? options = null,
        ApprovalMode approval = ApprovalMode.Button, string[]? caps = null, bool withPanel = true, string[]? scopes = null,
        string[]? transferPockets = null, bool subPocketKey = false, string? coolingOff = null)
    {
        var bot = "treasury-" + Guid.NewGuid().ToString("N")[..8];
        var panel = new TestPanel();
        var appliance = await TestAppliance.StartAsync(
            configure: setup => setup with
            {
                Panel = withPanel ? panel : null,
                Config = setup.Config with { Approval = options ?? FastOptions },
            },
            prepare: data =>
            {
                if (coolingOff is not null)
                {
                    // appliance.json's cooling_off is a signed key: set it and sign it, as an operator would.
                    var config = ApplianceConfig.Load(data.ConfigFile);
                    (config with { CoolingOff = coolingOff }).Save(data.ConfigFile);
                    PolicyConfigSigning.EnsureSigned(data, TimeProvider.System, new DataDirPolicySigner(data), anchorLater: true);
                }
                scopes ??= transferPockets is null ? ["withdraw", "trade", "view-assets"] : ["withdraw", "trade", "view-assets", "asset-transfer"];
                using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(Secret)))
                    new CredentialProvisioning(data, TimeProvider.System).Add(Credential, AccessKey, approval, scopes, null, secret);
                new BotEnrollment(data, TimeProvider.System).Add(new BotRequest(bot, Credential, scopes)
                {
                    WithdrawAddresses =
                    [
                        WithdrawalAddress.Parse($"BTC:BTC:{BtcAddress}"),
                        WithdrawalAddress.Parse($"XRP:XRP:{XrpAddress}:{XrpMemo}"),
                    ],
                    WithdrawCaps = (caps ?? ["BTC:0.5:1", "KRW:1000000:"]).Select(WithdrawalCap.Parse).ToList(),
                    TransferPockets = transferPockets ?? [],
                }, TestAppliance.BundleFor(data, bot));
            },
            // Upbit withdraws only to addresses registered on its site: the stand-in knows these two.
            exchangeOptions: FakeUpbitServer.Quiet(new("BTC", "BTC", BtcAddress), new("XRP", "XRP", XrpAddress, XrpMemo)));
        // A sub-pocket key can transfer out of its pocket (POST /v1/pockets/transfers); a main-pocket key withdraws.
        appliance.Exchange.Exchange.AddKey(AccessKey, Secret, subPocket: subPocketKey);
        appliance.Exchange.Exchange.SetBalance("BTC", 100m);
        appliance.Exchange.Exchange.SetBalance("XRP", 100_000m);
        appliance.Exchange.Exchange.SetBalance("KRW", MainKrw);
        if (subPocketKey) appliance.Exchange.Exchange.SetBalance("KRW", 10_000_000m, subPocket: true);
        return new ApprovalAppliance(appliance, panel, appliance.Exchange, bot);
    }

    public static SignRequest CoinWithdrawal(string amount, string address = BtcAddress, string currency = "BTC",
        string netType = "BTC", string? memo = null)
    {
        var request = Request("POST", "/v1/withdraws/coin",
            ("currency", currency), ("net_type", netType), ("amount", amount), ("address", address));
        if (memo is not null) request.Params.Add(new Param { Key = "secondary_address", Value = memo });
        return request;
    }

    public static SignRequest Request(string method, string path, params (string Key, string Value)[] parameters)
    {
        var request = new SignRequest
        {
            Method = method,
            Path = path,
            RequestId = Guid.NewGuid().ToString(),
            ClientTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        };
        foreach (var (key, value) in parameters) request.Params.Add(new Param { Key = key, Value = value });
        return request;
    }

    /// <summary>Hands the appliance a request the way a bot does (gRPC Send), with an optional gRPC deadline; returns Upbit's answer.</summary>
    public Task<SendResponse> Send(SignRequest request, TimeSpan? deadline = null, CancellationToken cancellationToken = default) =>
        Client.Signer.SendAsync(request, deadline: deadline is { } d ? DateTime.UtcNow + d : null,
            cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Changes the bot's profile (signed by the software token when it widens) and waits until the server loaded it.</summary>
    public async Task UpdateBotAsync(Func<BotProfile, BotProfile> change)
    {
        var (updated, _) = new BotEnrollment(Appliance.Data, TimeProvider.System).Update(Bot, change);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (Appliance.Server.Bots.All.FirstOrDefault(b => b.Name == Bot) is { } loaded && loaded.Policy?.Version == updated.Policy?.Version) return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"The server did not load version {updated.Policy?.Version} of bot {Bot}.");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Records.Dispose();
        await Appliance.DisposeAsync();
        Panel.Dispose();
    }
}
