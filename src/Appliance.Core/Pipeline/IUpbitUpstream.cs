namespace Appliance.Pipeline;

/// <summary>The exact request the appliance sends to Upbit: what it judged and signed, nothing from the bot's bytes.</summary>
public sealed record UpstreamRequest(string Method, string Path, string UrlQuery, string BodyJson, string Authorization);

/// <summary>Upbit's answer: status, body as received, and the headers bots need (lower-case names).</summary>
public sealed record UpstreamAnswer(int Status, ReadOnlyMemory<byte> Body, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Why no answer came back: before the request left (safe to retry) or after (outcome unknown).</summary>
public enum UpstreamFailure { NotSent, OutcomeUnknown, TooLarge }

public sealed class UpstreamException(UpstreamFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public UpstreamFailure Failure { get; } = failure;
}

/// <summary>
/// The send step's port: one pooled connection to Upbit's API host. Never retries a POST or DELETE;
/// never follows a redirect; the host is configuration, never the bot's.
/// </summary>
public interface IUpbitUpstream
{
    /// <summary>Sends the request, giving up at <paramref name="deadline"/>. Throws <see cref="UpstreamException"/>.</summary>
    Task<UpstreamAnswer> SendAsync(UpstreamRequest request, DateTimeOffset? deadline, CancellationToken cancellationToken);
}
