using System.Net.Http.Json;
using System.Text.Json;
using Appliance.Client;

namespace Appliance.Bench;

/// <summary>
/// One soak bot: its own certificate and connection, gRPC Send (even bots) or the HTTPS front (odd bots),
/// cycling through accounts, orders/chance, a resting limit order, its lookup and its cancel.
/// Every answer that is not 2xx, and every exception, is an unexpected error.
/// </summary>
internal sealed class SoakBot : IDisposable
{
    private readonly ApplianceClient? _grpc;
    private readonly HttpClient? _front;
    private string? _order;

    public SoakBot(string bundleDir, Uri address, bool viaFront)
    {
        if (viaFront)
            _front = new HttpClient(ApplianceTls.CreateHandler(ApplianceBundle.Load(bundleDir)), disposeHandler: true)
                { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        else
            _grpc = new ApplianceClient(ApplianceBundle.Load(bundleDir), TimeProvider.System, address);
    }

    public static readonly string[] Steps = ["accounts", "chance", "create", "lookup", "cancel"];

    /// <summary>Sends step <paramref name="step"/>; throws with a short reason on anything unexpected.</summary>
    public async Task StepAsync(int step, CancellationToken ct)
    {
        switch (Steps[step % Steps.Length])
        {
            case "accounts": await Call("GET", "/v1/accounts", [], ct); break;
            case "chance": await Call("GET", "/v1/orders/chance", [new("market", "KRW-BTC")], ct); break;
            case "create":
                using (var body = await Call("POST", "/v1/orders", [new("market", "KRW-BTC"), new("side", "bid"), new("ord_type", "limit"),
                    new("price", "50000000"), new("volume", "0.001")], ct))
                    _order = body.RootElement.GetProperty("uuid").GetString();
                break;
            case "lookup": (await Call("GET", "/v1/order", [new("uuid", _order!)], ct)).Dispose(); break;
            case "cancel": (await Call("DELETE", "/v1/order", [new("uuid", _order!)], ct)).Dispose(); break;
        }
    }

    private async Task<JsonDocument> Call(string method, string path, KeyValuePair<string, string>[] ps, CancellationToken ct)
    {
        if (_grpc is not null)
        {
            var answer = await _grpc.SendAsync(method, path, ps, cancellationToken: ct, deadline: DateTime.UtcNow.AddSeconds(30));
            if (answer.HttpStatus is < 200 or > 299) throw new SoakError($"{method} {path} via Send: {answer.HttpStatus}");
            return JsonDocument.Parse(answer.Body.Memory);
        }
        using var request = new HttpRequestMessage(new HttpMethod(method),
            method == "POST" ? path : $"{path}?{string.Join('&', ps.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"))}");
        if (method == "POST") request.Content = JsonContent.Create(ps.ToDictionary(p => p.Key, p => p.Value));
        using var response = await _front!.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw new SoakError($"{method} {path} via front: {(int)response.StatusCode}");
        return JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
    }

    public void Dispose()
    {
        _grpc?.Dispose();
        _front?.Dispose();
    }
}

internal sealed class SoakError(string message) : Exception(message);
