namespace Appliance.Policy;

/// <summary>What happened to a record, as anchored in the audit log.</summary>
public static class PolicyChanges
{
    public const string Signed = "signed";
    public const string Narrowed = "narrowed";
    public const string Removed = "removed";
}

/// <summary>"This record reached this version": written to the audit log so the version becomes a floor.</summary>
public sealed record PolicyAnchor(PolicyRecordKey Key, long Version, string Change);

/// <summary>A record the server did not load, and why (the sentence names the fix).</summary>
public sealed record PolicyRejection(PolicyRecordKey Key, string File, string Problem, bool Unsigned)
{
    public override string ToString() => $"{Key} ({File}) not loaded: {Problem}";
}

/// <summary>A record file as listed on disk: its parsed content, or why it could not be read.</summary>
public sealed record PolicyFile<T>(PolicyRecordKey Key, string Path, T? Record, string? Error) where T : class;
