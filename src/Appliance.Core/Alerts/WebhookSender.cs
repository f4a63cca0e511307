using System.Net.Http.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Appliance.Alerts;

/// <summary>
/// POSTs each alert as JSON to the operator's webhook from a background loop: a bounded queue
/// (oldest dropped when full), retries with exponential backoff, so signing never waits on it.
/// </summary>
public sealed class WebhookSender : IAsyncDisposable
{
    public sealed record Payload(
        [property: JsonPropertyName("rule")] string Rule,
        [property: JsonPropertyName("time")] DateTimeOffset Time,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("bot")] string? Bot,
        [property: JsonPropertyName("credential")] string? Credential,
        [property: JsonPropertyName("appliance")] string Appliance);

    private readonly Channel<Alert> _queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly string _appliance;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WebhookSender(Uri url, string appliance, TimeProvider time, ILogger logger, HttpMessageHandler? handler = null)
    {
        _url = url;
        _appliance = appliance;
        _time = time;
        _logger = logger;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = TimeSpan.FromSeconds(10);
        _loop = Task.Run(() => SendLoopAsync(_stop.Token));
    }

    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRetry { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxAttempts { get; init; } = 8;

    public void Enqueue(Alert alert) => _queue.Writer.TryWrite(alert);

    private async Task SendLoopAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var alert in _queue.Reader.ReadAllAsync(stop))
            {
                var payload = new Payload(alert.Rule, alert.Time, alert.Message, alert.Bot, alert.Credential, _appliance);
                var delay = FirstRetry;
                for (var attempt = 1; ; attempt++)
                {
                    var error = await TrySendAsync(payload, stop);
                    if (error is null) break;
                    if (attempt >= MaxAttempts)
                    {
                        _logger.LogError("webhook gave up on alert {Rule} after {Attempts} attempts: {Error}", alert.Rule, attempt, error);
                        break;
                    }
                    _logger.LogWarning("webhook attempt {Attempt} for alert {Rule} failed ({Error}); retrying in {Delay}", attempt, alert.Rule, error, delay);
                    await Task.Delay(delay, _time, stop);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    private async Task<string?> TrySendAsync(Payload payload, CancellationToken stop)
    {
        try
        {
            using var response = await _http.PostAsJsonAsync(_url, payload, stop);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException e) { return e.Message; }
        catch (TaskCanceledException) when (!stop.IsCancellationRequested) { return "timed out"; }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await _loop;
        _http.Dispose();
        _stop.Dispose();
    }
}
