using System.Net.Http.Headers;
using System.Text;
using Appliance.Approval;
using Appliance.Client;
using Appliance.Common;
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

    /// <summary>Short enough to keep tests quick; presses come right after the prompt appears.</summary>
    public static readonly ApprovalOptions FastOptions = new() { TimeoutSeconds = 5, MinViewMilliseconds = 0 };

    private ApprovalAppliance(TestAppliance appliance, TestPanel panel, FakeUpbitServer upbit, string bot)
    {
        Appliance = appliance;
        Panel = panel;
        Upbit = upbit;
        Bot = bot;
        Records = new SignRecords(bot);
        Client = appliance.Client(Path.Combine(appliance.Data.Root, "bundles", bot));
    }

    public TestAppliance Appliance { get; }
    public TestPanel Panel { get; }
    public FakeUpbitServer Upbit { get; }
    public string Bot { get; }
    public SignRecords Records { get; }
    public ApplianceClient Client { get; }

    public static async Task<ApprovalAppliance> StartAsync(ApprovalOptions? options = null,
        ApprovalMode approval = ApprovalMode.Button, string[]? caps = null, bool withPanel = true, string[]? transferPockets = null)
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
                string[] scopes = transferPockets is null ? ["withdraw", "trade", "view-assets"] : ["withdraw", "trade", "view-assets", "asset-transfer"];
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
                });
            });
        var upbit = await FakeUpbitServer.StartAsync();
        upbit.AddKey(AccessKey, Secret);
        return new ApprovalAppliance(appliance, panel, upbit, bot);
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

    /// <summary>Asks for a signature the way a bot does, with an optional gRPC deadline.</summary>
    public Task<SignResponse> Sign(SignRequest request, TimeSpan? deadline = null, CancellationToken cancellationToken = default) =>
        Client.Signer.SignAsync(request, deadline: deadline is { } d ? DateTime.UtcNow + d : null,
            cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Sends a signed request to the stand-in Upbit; returns its status and body.</summary>
    public async Task<(int Status, string Body)> SendToUpbit(SignRequest request, SignResponse signed)
    {
        using var http = new HttpClient { BaseAddress = Upbit.BaseAddress };
        var url = request.Path + (signed.UrlQuery.Length > 0 ? "?" + signed.UrlQuery : "");
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), url);
        message.Headers.Authorization = AuthenticationHeaderValue.Parse(signed.Authorization);
        if (request.Method == "POST") message.Content = new StringContent(signed.BodyJson, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(message);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Records.Dispose();
        await Upbit.DisposeAsync();
        await Appliance.DisposeAsync();
        Panel.Dispose();
    }
}
