namespace Appliance.StandIn;

/// <summary>A public (unauthenticated) request, e.g. GET /v1/market/all.</summary>
public sealed record PublicRequest(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Params, int StatusCode);

/// <summary>Everything that reached the stand-in, in the order it was answered. Thread-safe snapshots.</summary>
internal sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<AcceptedRequest> _accepted = [];
    private readonly List<RejectedRequest> _rejected = [];
    private readonly List<FaultedRequest> _faulted = [];
    private readonly List<PublicRequest> _public = [];

    public IReadOnlyList<AcceptedRequest> Accepted => Snapshot(_accepted);

    public IReadOnlyList<RejectedRequest> Rejected => Snapshot(_rejected);

    public IReadOnlyList<FaultedRequest> Faulted => Snapshot(_faulted);

    public IReadOnlyList<PublicRequest> Public => Snapshot(_public);

    public void Add(AcceptedRequest r) => Append(_accepted, r);

    public void Add(RejectedRequest r) => Append(_rejected, r);

    public void Add(FaultedRequest r) => Append(_faulted, r);

    public void Add(PublicRequest r) => Append(_public, r);

    private IReadOnlyList<T> Snapshot<T>(List<T> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }

    private void Append<T>(List<T> list, T item)
    {
        lock (_gate)
        {
            list.Add(item);
        }
    }
}
