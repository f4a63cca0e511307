using System.Net.Http.Headers;
using System.Text;
using Appliance.Client;
using Appliance.Provisioning;
using Appliance.Upbit;
using Appliance.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Appliance.Bench;

/// <summary>
/// The requests the benches send. All carry the same Upbit request, GET /v1/orders/chance?market=KRW-BTC
/// (Sign: GET /v1/accounts, the view-only request a detached bot may sign), one connection per bot.
/// </summary>
internal static class Targets
{
    public const string Path = "/v1/orders/chance";
    public const string Query = "market=KRW-BTC";
    private static readonly KeyValuePair<string, string>[] Params = [new("market", "KRW-BTC")];

    /// <summary>gRPC Send: judged, signed, audited (fsync'd decision), sent to the stand-in, answered.</summary>
    public static Target Send(BenchServer server, int bots)
    {
        var clients = Enumerable.Range(0, bots).Select(i => server.Client(BenchServer.SendBot(i))).ToArray();
        return new Target("Send", [.. clients.Select(c => (Func<Task>)(async () =>
        {
            var answer = await c.SendAsync("GET", Path, Params);
            if (answer.HttpStatus != 200) throw new InvalidOperationException($"Send answered {answer.HttpStatus}");
        }))], clients);
    }

    /// <summary>gRPC Sign (detached token; nothing is sent upstream).</summary>
    public static Target Sign(BenchServer server, int bots)
    {
        var clients = Enumerable.Range(0, Math.Min(bots, BenchServer.SignBots)).Select(i => server.Client(BenchServer.SignBot(i))).ToArray();
        return new Target("Sign", [.. clients.Select(c => (Func<Task>)(() => c.SignAsync("GET", "/v1/accounts", [])))], clients);
    }

    /// <summary>The HTTPS front with the bot's client certificate, as a bot's HttpClient sends it.</summary>
    public static Target Front(BenchServer server, int bots)
    {
        var clients = Enumerable.Range(0, bots).Select(i => server.FrontClient(BenchServer.SendBot(i))).ToArray();
        return new Target("front", [.. clients.Select(c => (Func<Task>)(async () =>
        {
            using var answer = await c.GetAsync($"{Path}?{Query}");
            if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"front answered {(int)answer.StatusCode}");
            await answer.Content.ReadAsByteArrayAsync();
        }))], clients);
    }

    /// <summary>The baseline of the proxy: the same request signed by the bot itself and sent straight to the stand-in.</summary>
    public static Target Direct(BenchServer server, int bots)
    {
        var secret = Encoding.UTF8.GetBytes(BenchServer.Secret);
        var clients = Enumerable.Range(0, bots).Select(_ => new HttpClient { BaseAddress = server.Exchange.BaseAddress }).ToArray();
        return new Target("direct", [.. clients.Select(c => (Func<Task>)(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{Path}?{Query}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                UpbitJwt.Create(DemoSetup.AccessKey, secret, Query, Guid.NewGuid(), JwtAlgorithm.HS512));
            using var answer = await c.SendAsync(request);
            if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"stand-in answered {(int)answer.StatusCode}");
            await answer.Content.ReadAsByteArrayAsync();
        }))], clients);
    }

    /// <summary>The bare echo: the same SignRequest Send takes, answered with a SendResponse of Send's size.</summary>
    public static Target Echo(BenchServer server, EchoServer echo, int bots)
    {
        var bundles = Enumerable.Range(0, bots).Select(i => server.Bundle(BenchServer.SendBot(i))).ToArray();
        var channels = bundles.Select(b => GrpcChannel.ForAddress(echo.Address,
            new GrpcChannelOptions { HttpHandler = ApplianceTls.CreateHandler(b), DisposeHttpClient = true })).ToArray();
        return new Target("echo", [.. channels.Select(ch =>
        {
            var invoker = ch.CreateCallInvoker();
            return (Func<Task>)(async () => await invoker.AsyncUnaryCall(EchoBase.SendMethod, null, default, Request()));
        })], [.. channels, .. bundles]);
    }

    /// <summary>What ApplianceClient.SendAsync puts on the wire.</summary>
    public static SignRequest Request()
    {
        var request = new SignRequest { Method = "GET", Path = Path, RequestId = Guid.NewGuid().ToString() };
        request.Params.Add(new Param { Key = "market", Value = "KRW-BTC" });
        return request;
    }
}
