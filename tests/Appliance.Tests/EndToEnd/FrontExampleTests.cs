using System.Text.Json;
using Appliance.Panel;
using Appliance.Provisioning;
using Appliance.Tests.Approval;
using Appliance.Tests.Support;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// The shipped front examples, run as a bot runs them against the appliance and its stand-in exchange:
/// examples/node/ccxt_front.js (unmodified ccxt 4.5.84 with undici 7.29.1, pinned) and
/// examples/python/front_requests.py (Debian's python3-requests). Every request is accepted and
/// reaches exactly the endpoint that was judged, with the appliance's token and no Origin.
/// </summary>
public sealed class FrontExampleTests
{
    [Fact]
    public async Task Ccxt_trades_and_withdraws_through_the_front_after_approval()
    {
        ExternalClients.RequireCcxt();
        await using var a = await ApprovalAppliance.StartAsync(scopes: ["withdraw", "trade", "view-assets", "view-orders"]);
        var bundle = TestAppliance.BundleFor(a.Appliance.Data, a.Bot);
        var process = ExternalClients.Start("node", [ExternalClients.NodeExample("ccxt_front.js"), "--bundle", bundle,
            "--front", a.Appliance.Address.ToString(), "--public", a.Upbit.BaseAddress.ToString(),
            "--withdraw-address", ApprovalAppliance.BtcAddress]);

        var shown = await a.Panel.WaitForApproval("amount 0.1", TimeSpan.FromSeconds(60));
        Assert.Contains("withdraw coin", shown);
        await a.Panel.Press(PanelButton.Approve);
        var (code, output) = await ExternalClients.CompleteAsync(process);
        Assert.True(code == 0, output);

        var steps = output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["fetchBalance", "createOrder", "fetchOpenOrders", "cancelOrder", "withdraw"], steps.Select(s => s.GetProperty("step").GetString()));
        var orderId = steps[1].GetProperty("id").GetString();
        Assert.Contains(orderId, steps[2].GetProperty("ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(orderId, steps[3].GetProperty("id").GetString());

        Assert.Equal(
            [("GET", "/v1/accounts"), ("POST", "/v1/orders"), ("GET", "/v1/orders/open"), ("DELETE", "/v1/order"), ("POST", "/v1/withdraws/coin")],
            a.Upbit.Accepted.Select(r => (r.Method, r.Path)));
        Assert.All(a.Upbit.Accepted, r => Assert.True(r.StatusCode is >= 200 and < 300, $"{r.Path} {r.StatusCode} {r.ErrorName}"));
        Assert.All(a.Upbit.Accepted, r => Assert.Equal(ApprovalAppliance.AccessKey, r.AccessKey)); // the appliance's key, not ccxt's placeholder
        Assert.All(a.Upbit.Accepted, r => Assert.DoesNotContain("origin", r.HeaderNames));
        Assert.Contains(new KeyValuePair<string, string>("amount", "0.1"), a.Upbit.Accepted[4].Params);
        Assert.Contains(a.Upbit.Exchange.PublicRequests, p => p.Path == "/v1/market/all"); // public data went around the front
    }

    [Fact]
    public async Task Ccxt_pro_watches_orders_and_balance_through_the_relay()
    {
        ExternalClients.RequireCcxt();
        await using var appliance = await TestAppliance.StartAsync();
        var (code, output) = await ExternalClients.RunAsync("node", [ExternalClients.NodeExample("ccxt_pro_front.js"), "--bundle", appliance.BundleDir,
            "--front", appliance.Address.ToString(), "--public", appliance.Exchange.BaseAddress.ToString()], TimeSpan.FromSeconds(90));
        Assert.True(code == 0, output);

        var steps = output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["createOrder", "watchOrders", "watchBalance"], steps.Select(s => s.GetProperty("step").GetString()));
        var placed = steps[0].GetProperty("ids").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(steps[1].GetProperty("ids").EnumerateArray().Select(e => e.GetString()), id => placed.Contains(id));
        Assert.Contains("KRW", steps[2].GetProperty("currencies").EnumerateArray().Select(e => e.GetString()));
        // One upstream WebSocket, opened and authorized by the appliance with its own key; ccxt's token never left.
        var socket = Assert.Single(appliance.Exchange.Accepted, r => r.Path == "/websocket/v1/private");
        Assert.Equal(Appliance.Provisioning.DemoSetup.AccessKey, socket.AccessKey);
    }

    [Fact]
    public async Task Python_requests_sends_through_the_front_with_cert_and_verify()
    {
        ExternalClients.RequirePythonRequests();
        await using var appliance = await TestAppliance.StartAsync();
        string[] common = [ExternalClients.PythonExample("front_requests.py"), "--bundle", appliance.BundleDir, "--front", appliance.Address.ToString()];

        var (code, output) = await ExternalClients.RunAsync("/usr/bin/python3", [.. common, "GET", "/v1/accounts"]);
        Assert.True(code == 0, output);
        (code, output) = await ExternalClients.RunAsync("/usr/bin/python3",
            [.. common, "POST", "/v1/orders", "market=KRW-BTC", "side=bid", "volume=0.01", "price=100000000", "ord_type=limit"]);
        Assert.True(code == 0, output);
        using var answer = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{')));
        Assert.Equal(201, answer.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("KRW-BTC", JsonDocument.Parse(answer.RootElement.GetProperty("body").GetString()!).RootElement.GetProperty("market").GetString());
        (code, output) = await ExternalClients.RunAsync("/usr/bin/python3", [.. common, "GET", "/v1/orders/open", "market=KRW-BTC", "states[]=wait", "states[]=watch"]);
        Assert.True(code == 0, output);

        Assert.Equal([("GET", "/v1/accounts"), ("POST", "/v1/orders"), ("GET", "/v1/orders/open")], appliance.Exchange.Accepted.Select(r => (r.Method, r.Path)));
        Assert.Equal([new("market", "KRW-BTC"), new("states[]", "wait"), new("states[]", "watch")], appliance.Exchange.Accepted[2].Params);

        // A refusal comes back as the front's table says, with the reason header.
        (code, output) = await ExternalClients.RunAsync("/usr/bin/python3", [.. common, "DELETE", "/v1/orders/open", "cancel_side=all"]);
        Assert.Equal(1, code);
        using var refused = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{')));
        Assert.Equal((403, "ORDER_NOT_OWNED"), (refused.RootElement.GetProperty("status").GetInt32(), refused.RootElement.GetProperty("reason").GetString()));
        Assert.Equal(3, appliance.Exchange.Accepted.Count);
    }

    [Fact]
    public async Task The_demo_bundle_names_the_front_as_its_endpoint()
    {
        await using var appliance = await TestAppliance.StartAsync();
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(appliance.BundleDir, "bot.json")));
        Assert.StartsWith("https://", manifest.RootElement.GetProperty("endpoint").GetString());
        Assert.Equal(DemoSetup.BotName, manifest.RootElement.GetProperty("bot").GetString());
    }
}
