using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Appliance.StandIn;

/// <summary>
/// The private WebSocket at /websocket/v1/private. The upgrade request must carry
/// <c>Authorization: Bearer &lt;jwt&gt;</c>, verified like REST with no parameters (access_key + fresh
/// nonce; a query_hash, if present, must be that of the empty string). A bad token still gets the
/// upgrade, then an INVALID_AUTH error frame and a close, as Upbit documents (websocket-guide). The hub
/// does the RFC 6455 handshake itself so it can watch raw bytes (ping frames count against idling).
/// </summary>
internal sealed class PrivateSocketHub(UpbitKeyRing keys, RequestLog log, StandInOptions options, Action<string> say) : IExchangeEvents
{
    public const string Path = "/websocket/v1/private";
    private const string HandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private readonly ConcurrentDictionary<SocketSession, byte> _sessions = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Maps an access key to its pocket; set once the exchange state exists.</summary>
    public Func<string, string> PocketOf { get; set; } = _ => "";

    public void Publish(string pocketUuid, string type, string? market, JsonObject message)
    {
        foreach (var session in _sessions.Keys)
        {
            session.Offer(pocketUuid, type, market, message);
        }
    }

    public void CloseAll() => _stopping.Cancel();

    public async Task HandleAsync(HttpContext ctx)
    {
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        var wsKey = ctx.Request.Headers["Sec-WebSocket-Key"].ToString();
        if (!HttpMethods.IsGet(ctx.Request.Method) || upgrade is not { IsUpgradableRequest: true } || wsKey.Length == 0
            || !string.Equals(ctx.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase))
        {
            log.Add(new RejectedRequest(ctx.Request.Method, Path, 400, UpbitErrorNames.WrongFormat, "not a WebSocket upgrade request"));
            await Answers.WriteJsonAsync(ctx.Response, 400, Answers.Error(UpbitErrorNames.WrongFormat, "connect with a WebSocket client (GET + Upgrade: websocket)"), ctx.RequestAborted);
            return;
        }

        VerifiedToken? token = null;
        UpbitRejection? refusal = null;
        try
        {
            var authorization = ctx.Request.Headers.Authorization;
            token = authorization.Count > 1
                ? throw UpbitRejection.Unauthorized(UpbitErrorNames.NoAuthorizationToken, "more than one Authorization header")
                : UpbitJwtVerifier.Verify(authorization.ToString(), keys);
            UpbitQueryHashCheck.Verify(token, UpbitRequestParams.None);
        }
        catch (UpbitRejection r)
        {
            refusal = r;
        }

        ctx.Response.Headers.Upgrade = "websocket";
        ctx.Response.Headers.Connection = "Upgrade";
        ctx.Response.Headers["Sec-WebSocket-Accept"] = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(wsKey + HandshakeGuid)));
        var activity = new ActivityStream(await upgrade.UpgradeAsync(), options.TimeProvider);
        using var socket = WebSocket.CreateFromStream(activity, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        if (refusal is not null || token is null)
        {
            log.Add(new RejectedRequest("GET", Path, refusal?.StatusCode ?? 401, UpbitErrorNames.InvalidAuth, $"{refusal?.ErrorName}: {refusal?.Detail}"));
            say($"WebSocket refused: {refusal?.ErrorName}");
            await new SocketSession(socket, activity, "", options).RefuseAsync(UpbitErrorNames.InvalidAuth, "인증 정보가 올바르지 않습니다.");
            return;
        }

        log.Add(new AcceptedRequest("GET", Path, [], token.AccessKey, token.Alg, token.Nonce, token.QueryHash) { StatusCode = 101 });
        say($"WebSocket opened for {token.AccessKey}");
        var session = new SocketSession(socket, activity, PocketOf(token.AccessKey), options);
        _sessions[session] = 0;
        try
        {
            await session.RunAsync(_stopping.Token);
        }
        finally
        {
            _sessions.TryRemove(session, out _);
            say($"WebSocket closed for {token.AccessKey}");
        }
    }
}
