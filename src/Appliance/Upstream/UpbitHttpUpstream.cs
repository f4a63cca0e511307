using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Appliance.Pipeline;
using Microsoft.Extensions.Logging;

namespace Appliance.Upstream;

/// <summary>
/// The send step on the wire: one pooled HttpClient to Upbit's API host (keep-alive, no proxy from the
/// environment, no redirects, no retries, no compression so the body comes back as Upbit sent it).
/// The host is configuration (<see cref="UpstreamOptions"/>), never anything from a bot. Connect and
/// request timeouts fit inside the caller's deadline. A failure before the request left is
/// <see cref="UpstreamFailure.NotSent"/>; any later one is <see cref="UpstreamFailure.OutcomeUnknown"/>.
/// </summary>
public sealed class UpbitHttpUpstream : IUpbitUpstream, IDisposable
{
    private static readonly string[] ForwardedHeaders = ["content-type", "remaining-req", "retry-after"];

    private readonly HttpClient _http;
    private readonly UpstreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public UpbitHttpUpstream(UpstreamOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            MaxResponseHeadersLength = 64, // KiB
        })
        {
            BaseAddress = options.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan, // per request, from the caller's deadline
            MaxResponseContentBufferSize = options.MaxAnswerBytes,
            DefaultRequestVersion = HttpVersion.Version11,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("upbit-signing-appliance", "1"));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public async Task<UpstreamAnswer> SendAsync(UpstreamRequest request, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var timeout = _options.RequestTimeout;
        if (deadline is { } d && d - _time.GetUtcNow() < timeout) timeout = d - _time.GetUtcNow();
        if (timeout <= TimeSpan.Zero) throw new UpstreamException(UpstreamFailure.NotSent, "no time left before the caller's deadline");
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + (request.UrlQuery.Length > 0 ? "?" + request.UrlQuery : ""));
        message.Headers.TryAddWithoutValidation("Authorization", request.Authorization);
        if (request.Method == "POST")
            message.Content = new StringContent(request.BodyJson, Encoding.UTF8, "application/json");
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timer.Token);
            if (response.Content.Headers.ContentLength > _options.MaxAnswerBytes)
                throw new UpstreamException(UpstreamFailure.TooLarge, $"Upbit answered {response.Content.Headers.ContentLength} bytes");
            var body = await ReadBoundedAsync(response.Content, timer.Token);
            return new UpstreamAnswer((int)response.StatusCode, body, Headers(response));
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
                                                 or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
        {
            _logger.LogWarning("Upbit not reached, nothing sent: {Error}", e.Message);
            throw new UpstreamException(UpstreamFailure.NotSent, "Upbit could not be reached", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            _logger.LogError("Upbit's answer to {Method} {Path} was lost after sending: {Error}", request.Method, request.Path, e.Message);
            throw new UpstreamException(UpstreamFailure.OutcomeUnknown, "the answer was lost", e);
        }
    }

    private async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        // Pooled: a fresh 16 KiB chunk per request was about a fifth of what one Send allocates (docs/benchmarks.md).
        // Cleared on return, since an answer (balances, orders) should not linger in a shared pool.
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > _options.MaxAnswerBytes)
                    throw new UpstreamException(UpstreamFailure.TooLarge, $"Upbit's answer is larger than {_options.MaxAnswerBytes} bytes");
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk, clearArray: true);
        }
        return buffer.ToArray();
    }

    private static Dictionary<string, string> Headers(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ForwardedHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
                headers[name] = string.Join(", ", values);
        }
        return headers;
    }

    public void Dispose() => _http.Dispose();
}
