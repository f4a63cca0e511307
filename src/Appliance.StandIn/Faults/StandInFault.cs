namespace Appliance.StandIn;

/// <summary>What an injected fault does to a request.</summary>
public enum StandInFaultKind
{
    /// <summary>429 with a plain-text body, before the exchange looks at the request (nonce not used).</summary>
    TooManyRequests,

    /// <summary>418 with <c>Retry-After: seconds</c> and a plain-text body, before the exchange looks at it.</summary>
    Blocked,

    /// <summary>500 with a plain-text body, before the exchange looks at it.</summary>
    ServerError,

    /// <summary>The request is processed, then the answer waits <see cref="StandInFault.Delay"/> before it is written.</summary>
    Delay,

    /// <summary>The request is processed (its effect happens), then the connection is aborted: the answer is lost.</summary>
    DropConnection,

    /// <summary>The request is processed, then a 200 JSON body larger than <see cref="StandInFault.SizeMiB"/> MiB is sent (chunked).</summary>
    OversizedBody,
}

/// <summary>
/// One fault rule: applies to the next <see cref="Count"/> requests that match <see cref="Path"/>
/// (exact, e.g. "/v1/orders"; null = any path) and <see cref="Method"/> (null = any). Build with the
/// factory methods. Rules are tried in the order they were added; the first matching one applies.
/// </summary>
public sealed record StandInFault
{
    private StandInFault(StandInFaultKind kind, int count, string? path, string? method)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (path is not null && !path.StartsWith('/'))
        {
            throw new ArgumentException($"Fault path '{path}' must start with '/', e.g. \"/v1/orders\".", nameof(path));
        }

        Kind = kind;
        Count = count;
        Path = path;
        Method = method?.ToUpperInvariant();
    }

    public StandInFaultKind Kind { get; }

    public int Count { get; }

    public string? Path { get; }

    public string? Method { get; }

    public TimeSpan Delay { get; private init; }

    public int RetryAfterSeconds { get; private init; }

    public int SizeMiB { get; private init; }

    public static StandInFault TooManyRequests(int count = 1, string? path = null, string? method = null) =>
        new(StandInFaultKind.TooManyRequests, count, path, method);

    public static StandInFault Blocked(int retryAfterSeconds, int count = 1, string? path = null, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retryAfterSeconds);
        return new(StandInFaultKind.Blocked, count, path, method) { RetryAfterSeconds = retryAfterSeconds };
    }

    public static StandInFault ServerError(int count = 1, string? path = null, string? method = null) =>
        new(StandInFaultKind.ServerError, count, path, method);

    public static StandInFault Delayed(TimeSpan delay, int count = 1, string? path = null, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new(StandInFaultKind.Delay, count, path, method) { Delay = delay };
    }

    public static StandInFault DropConnection(int count = 1, string? path = null, string? method = null) =>
        new(StandInFaultKind.DropConnection, count, path, method);

    public static StandInFault OversizedBody(int sizeMiB, int count = 1, string? path = null, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sizeMiB, 1);
        return new(StandInFaultKind.OversizedBody, count, path, method) { SizeMiB = sizeMiB };
    }

    internal bool Matches(string method, string path) =>
        (Path is null || string.Equals(Path, path, StringComparison.Ordinal))
        && (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase));
}
