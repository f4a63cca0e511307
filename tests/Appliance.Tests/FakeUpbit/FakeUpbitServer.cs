using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.FakeUpbit;

/// <summary>
/// A stand-in for Upbit's private REST API on a real Kestrel socket (127.0.0.1, ephemeral port) for
/// end-to-end tests. Every GET/POST/DELETE under /v1/ is authenticated the way shared/upbit-api.md
/// §1, §2, §4 say Upbit does, and answered 200 with an echo
/// <c>{"ok":true,"method":…,"path":…,"params":[[k,v],…]}</c> or with Upbit's error body
/// <c>{"error":{"name":…,"message":…}}</c>.
/// Check order: request shape (400 invalid_parameter / validation_error) → token (401
/// no_authorization_token, jwt_verification, invalid_access_key, nonce_used) → query_hash (401
/// invalid_query_payload). A request refused with 400 does not consume its nonce.
/// </summary>
public sealed class FakeUpbitServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeUpbitKeyRing _keys = new();
    private readonly Lock _gate = new();
    private readonly List<AcceptedRequest> _accepted = [];
    private readonly List<RejectedRequest> _rejected = [];
    private bool _disposed;

    private FakeUpbitServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:PORT — no trailing path; request paths start with /v1/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Snapshot of the authenticated requests, in the order they were answered.</summary>
    public IReadOnlyList<AcceptedRequest> Accepted
    {
        get
        {
            lock (_gate)
            {
                return [.. _accepted];
            }
        }
    }

    /// <summary>Snapshot of the refused requests, in the order they were answered.</summary>
    public IReadOnlyList<RejectedRequest> Rejected
    {
        get
        {
            lock (_gate)
            {
                return [.. _rejected];
            }
        }
    }

    public static async Task<FakeUpbitServer> StartAsync(CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(FakeUpbitServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();

        FakeUpbitServer? server = null;
        app.MapMethods("/v1/{**rest}", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete], ctx => server!.HandleAsync(ctx));
        app.MapFallback(ctx => server!.RespondRejectedAsync(
            ctx, FakeUpbitRejection.NotFound($"no fake Upbit endpoint for {ctx.Request.Method} {ctx.Request.Path}; use GET/POST/DELETE under /v1/")));

        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        server = new FakeUpbitServer(app, new Uri(app.Urls.Single()));
        return server;
    }

    /// <summary>Registers (or replaces) an API key; the secret is HMAC'd as raw UTF-8 bytes.</summary>
    public void AddKey(string accessKey, string secret) => _keys.Add(accessKey, secret);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _keys.Dispose();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            var request = await FakeUpbitRequestReader.ReadParamsAsync(ctx.Request, ctx.RequestAborted);
            var authorization = ctx.Request.Headers.Authorization;
            if (authorization.Count > 1)
            {
                throw FakeUpbitRejection.Unauthorized(UpbitErrorNames.NoAuthorizationToken, "more than one Authorization header");
            }

            var token = UpbitJwtVerifier.Verify(authorization.ToString(), _keys);
            UpbitQueryHashCheck.Verify(token, request);

            var path = ctx.Request.Path.Value ?? "";
            lock (_gate)
            {
                _accepted.Add(new AcceptedRequest(ctx.Request.Method, path, request.Params, token.AccessKey, token.Alg, token.Nonce, token.QueryHash));
            }

            await ctx.Response.WriteAsJsonAsync(new
            {
                ok = true,
                method = ctx.Request.Method,
                path,
                @params = request.Params.Select(p => new[] { p.Key, p.Value }).ToArray(),
            });
        }
        catch (FakeUpbitRejection rejection)
        {
            await RespondRejectedAsync(ctx, rejection);
        }
    }

    private async Task RespondRejectedAsync(HttpContext ctx, FakeUpbitRejection rejection)
    {
        lock (_gate)
        {
            _rejected.Add(new RejectedRequest(ctx.Request.Method, ctx.Request.Path.Value ?? "", rejection.StatusCode, rejection.ErrorName, rejection.Message));
        }

        ctx.Response.StatusCode = rejection.StatusCode;
        await ctx.Response.WriteAsJsonAsync(new { error = new { name = rejection.ErrorName, message = rejection.Message } });
    }
}
