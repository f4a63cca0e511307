using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Appliance.StandIn;

/// <summary>
/// A stand-in for Upbit's exchange API (NOT Upbit) on a real Kestrel socket on loopback, plain HTTP:
/// private REST under /v1/ authenticated exactly as Upbit documents (shared/upbit-api.md §1, §2, §4),
/// answered in Upbit's shapes from a small stateful exchange (balances, orders, withdrawals, deposits,
/// pockets, travel rule), the public GET /v1/market/all, and the private WebSocket at
/// /websocket/v1/private. Tests run against it; `appliance demo` starts it in-process. See
/// docs/stand-in-exchange.md for every endpoint and where its shape was checked.
/// </summary>
public sealed partial class StandInExchange : IAsyncDisposable
{
    /// <summary>Printed at start (and by the demo): nobody should mistake this for the real exchange.</summary>
    public const string Banner =
        "STAND-IN EXCHANGE - NOT UPBIT. Fake balances and fake orders on a fixed price book; nothing here reaches Upbit or moves real money.";

    private readonly WebApplication _app;
    private readonly UpbitKeyRing _keys;
    private readonly ExchangeState _state;
    private readonly RequestLog _log;
    private readonly PrivateSocketHub _hub;
    private bool _disposed;

    private StandInExchange(WebApplication app, UpbitKeyRing keys, ExchangeState state, RequestLog log, PrivateSocketHub hub, StandInFaults faults)
    {
        _app = app;
        _keys = keys;
        _state = state;
        _log = log;
        _hub = hub;
        Faults = faults;
        BaseAddress = new Uri(app.Urls.Single());
        PrivateWebSocketUri = new Uri($"ws://{BaseAddress.Authority}{PrivateSocketHub.Path}");
    }

    /// <summary>http://127.0.0.1:PORT - no trailing path; request paths start with /v1/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>ws://127.0.0.1:PORT/websocket/v1/private.</summary>
    public Uri PrivateWebSocketUri { get; }

    /// <summary>Pending injected faults; add rules to make the next requests fail in chosen ways.</summary>
    public StandInFaults Faults { get; }

    /// <summary>Requests whose token was accepted (the business answer may still be an error), in answer order.</summary>
    public IReadOnlyList<AcceptedRequest> Accepted => _log.Accepted;

    /// <summary>Requests refused before the exchange acted (shape, token, scope, unknown path), in answer order.</summary>
    public IReadOnlyList<RejectedRequest> Rejected => _log.Rejected;

    /// <summary>Requests answered by an injected 429/418/500 before the exchange looked at them.</summary>
    public IReadOnlyList<FaultedRequest> Faulted => _log.Faulted;

    /// <summary>Unauthenticated requests (GET /v1/market/all).</summary>
    public IReadOnlyList<PublicRequest> PublicRequests => _log.Public;

    /// <summary>
    /// Starts on <paramref name="listen"/> (default 127.0.0.1, ephemeral port). Only loopback is allowed:
    /// the stand-in speaks plain HTTP and holds fake money, so it has no business on a network.
    /// </summary>
    public static async Task<StandInExchange> StartAsync(IPEndPoint? listen = null, StandInOptions? options = null, CancellationToken ct = default)
    {
        listen ??= new IPEndPoint(IPAddress.Loopback, 0);
        if (!IPAddress.IsLoopback(listen.Address))
        {
            throw new ArgumentException($"The stand-in exchange listens on loopback only, not {listen.Address}; use 127.0.0.1.", nameof(listen));
        }

        options ??= new StandInOptions();
        var say = options.Log ?? (line => Console.Error.WriteLine(line));
        void Say(string line) => say("[stand-in exchange, NOT Upbit] " + line);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(StandInExchange).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(listen);
        });
        var app = builder.Build();

        var keys = new UpbitKeyRing();
        var log = new RequestLog();
        var faults = new StandInFaults();
        var hub = new PrivateSocketHub(keys, log, options, Say);
        var state = new ExchangeState(options, hub);
        hub.PocketOf = key =>
        {
            lock (state.Gate)
            {
                return state.PocketOf(key).Uuid;
            }
        };
        var pipeline = new RequestPipeline(new EndpointTable(), state, keys, faults, log, new RemainingReq(options.TimeProvider, options.RemainingReqScale), options.TimeProvider, Say);
        app.Use(async (HttpContext ctx, RequestDelegate _) =>
        {
            ctx.Response.Headers.Server = "appliance-stand-in (NOT Upbit)";
            await (ctx.Request.Path == PrivateSocketHub.Path ? hub.HandleAsync(ctx) : pipeline.HandleAsync(ctx));
        });

        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            keys.Dispose();
            throw;
        }

        var exchange = new StandInExchange(app, keys, state, log, hub, faults);
        Say(Banner);
        Say($"listening on {exchange.BaseAddress} (REST) and {exchange.PrivateWebSocketUri} (private WebSocket)");
        return exchange;
    }

    /// <summary>Registers (or replaces) an API key; the secret is HMAC'd as raw UTF-8 bytes, as Upbit does.</summary>
    /// <param name="subPocket">True to issue the key in the sub-pocket (its own balances and orders) instead of the main pocket.</param>
    public void AddKey(string accessKey, string secret, bool subPocket = false)
    {
        _keys.Add(accessKey, secret);
        lock (_state.Gate)
        {
            _state.AssignKey(accessKey, subPocket ? _state.Sub : _state.Main);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _hub.CloseAll();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _keys.Dispose();
    }
}
