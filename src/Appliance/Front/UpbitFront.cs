using System.Net;
using Appliance.Common;
using Appliance.Pipeline;
using Appliance.Upbit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Appliance.Front;

/// <summary>
/// The Upbit-compatible HTTPS front: a bot points its private base URL here and presents its client
/// certificate; nothing else changes. It takes <c>GET|POST|DELETE /v1/...</c> exactly as Upbit does,
/// reads it into structured params (never forwarding the bot's bytes, its Authorization or Origin),
/// and runs the same pipeline as gRPC Send. The answer is Upbit's status, body and Remaining-Req.
/// </summary>
public sealed class UpbitFront(RequestPipeline pipeline, ILogger<UpbitFront> logger)
{
    /// <summary>A request larger than this is refused unread: Upbit requests are small.</summary>
    public const int MaxRequestBytes = 16 * 1024;

    private static readonly string[] Methods = [HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete];

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/v1/{**rest}", Methods, HandleAsync);
        routes.MapFallback("/v1/{**rest}", http => FrontAnswers.WriteAsync(http, Refusals.UnknownEndpoint(Refusals.Echo(http.Request.Method), "/v1/...")));
    }

    private async Task HandleAsync(HttpContext http)
    {
        var call = await ReadAsync(http);
        try
        {
            var result = await pipeline.SendAsync(call, http.RequestAborted);
            var response = http.Response;
            response.StatusCode = result.HttpStatus;
            response.Headers[FrontAnswers.AuditIdHeader] = result.AuditId;
            foreach (var (name, value) in result.Headers)
            {
                if (name == "content-type") response.ContentType = value;
                else response.Headers[name] = value;
            }
            await response.Body.WriteAsync(result.Body, http.RequestAborted);
        }
        catch (SignRefusal refusal)
        {
            await FrontAnswers.WriteAsync(http, refusal);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The bot went away; nothing to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Front request failed");
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync($"The appliance failed ({e.GetType().Name}); the operator's log has details.");
        }
    }

    /// <summary>The request as a BotCall; what cannot be read exactly becomes its refusal, raised after identification.</summary>
    private static async Task<BotCall> ReadAsync(HttpContext http)
    {
        var request = http.Request;
        var requestId = request.Headers["X-Request-Id"].ToString();
        SignRefusal? malformed = null;
        var path = request.Path.Value ?? "";
        List<UpbitParam> parameters = [];
        try
        {
            // HTTP methods are case-sensitive (RFC 9110); routing is not, and "get" is no method Upbit answers.
            if (!Methods.Contains(request.Method, StringComparer.Ordinal)) throw Refusals.UnknownEndpoint(Refusals.Echo(request.Method), path);
            var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
            var query = "";
            var at = raw.IndexOf('?');
            var rawPath = at < 0 ? raw : raw[..at];
            if (at >= 0) query = raw[(at + 1)..];
            // Kestrel normalises "..", "%2F" and the like; the bot's raw target must already be that path.
            if (rawPath != path) throw Refusals.MalformedRequest("the path is not in plain form (no '..', '//', '%' escapes or dot segments)");
            if (request.Method == HttpMethods.Post)
            {
                if (query.Length > 0) throw Refusals.MalformedRequest("a POST carries its parameters in a JSON body, not the query");
                if (request.ContentLength is > 0 && !IsJson(request.ContentType))
                    throw Refusals.MalformedRequest("the body must be JSON (Content-Type: application/json)");
                parameters = WireRequestParser.ParseJsonBody(await ReadBodyAsync(request, http.RequestAborted));
            }
            else
            {
                if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
                    throw Refusals.MalformedRequest($"a {request.Method} carries its parameters in the query, not a body");
                parameters = WireRequestParser.ParseQuery(query);
            }
        }
        catch (SignRefusal refusal)
        {
            malformed = refusal;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            malformed = Refusals.RequestTooLarge(MaxRequestBytes); // Kestrel's own body limit
        }
        catch (BadHttpRequestException)
        {
            malformed = Refusals.MalformedRequest("the body ended before its Content-Length or is not valid chunked encoding");
        }
        return new BotCall(http.Connection.ClientCertificate, http.Connection.RemoteIpAddress ?? IPAddress.None, CallKind.Send,
            request.Method, path, parameters, "", requestId.Length == 0 ? null : requestId, null)
        {
            Malformed = malformed,
        };
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxRequestBytes) throw Refusals.RequestTooLarge(MaxRequestBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
