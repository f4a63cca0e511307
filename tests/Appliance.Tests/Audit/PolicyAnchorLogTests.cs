using Appliance.Audit;
using Appliance.Policy;

namespace Appliance.Tests.Audit;

/// <summary>Floors read back from the audit chain: anchors raise them; only a checkpoint-covered snapshot may stand for the past.</summary>
public sealed class PolicyAnchorLogTests : IAsyncDisposable
{
    private readonly AuditTestLog _audit = new();
    private static readonly PolicyRecordKey Grid = PolicyRecordKey.Bot("grid");
    private static readonly PolicyRecordKey Main = PolicyRecordKey.Credential("main");

    public async ValueTask DisposeAsync() => await _audit.DisposeAsync();

    private static AuditEntry Anchor(PolicyRecordKey key, long version, string change = PolicyChanges.Signed) =>
        PolicyAnchorLog.Anchor(new PolicyAnchor(key, version, change), DateTimeOffset.UtcNow);

    private static AuditEntry Snapshot(params (PolicyRecordKey Key, long Version)[] floors) =>
        PolicyAnchorLog.Snapshot(new PolicyFloors(floors.Select(f => KeyValuePair.Create(f.Key, f.Version))), DateTimeOffset.UtcNow);

    private PolicyFloors Floors() => PolicyAnchorLog.ReadFloors(_audit.Directory, _audit.PublicKey);

    [Fact]
    public async Task Anchors_raise_floors_and_never_lower_them()
    {
        var log = _audit.Open();
        await log.AppendAsync(Anchor(Grid, 3), CancellationToken.None);
        await log.AppendAsync(Anchor(Main, 1), CancellationToken.None);
        await log.AppendAsync(Anchor(Grid, 2), CancellationToken.None); // a stale anchor cannot lower it
        await _audit.CloseAsync();
        var floors = Floors();
        Assert.Equal(3, floors.Of(Grid));
        Assert.Equal(1, floors.Of(Main));
        Assert.Equal(0, floors.Of(PolicyRecordKey.Bot("other")));
    }

    [Fact]
    public async Task A_covered_snapshot_stands_for_everything_before_it()
    {
        var log = _audit.Open();
        await log.AppendAsync(Anchor(Grid, 9), CancellationToken.None); // before the snapshot: the snapshot speaks for it
        await log.AppendAsync(Snapshot((Grid, 4), (Main, 2)), CancellationToken.None);
        await log.CheckpointAsync(CancellationToken.None);
        await log.AppendAsync(Anchor(Main, 5, PolicyChanges.Removed), CancellationToken.None);
        await _audit.CloseAsync();
        var floors = Floors();
        Assert.Equal(4, floors.Of(Grid)); // the snapshot, not the older anchor (the server computed it from everything before)
        Assert.Equal(5, floors.Of(Main));
    }

    [Fact]
    public async Task An_appended_snapshot_without_a_checkpoint_cannot_lower_a_floor()
    {
        var log = _audit.Open();
        await log.AppendAsync(Anchor(Grid, 6, PolicyChanges.Narrowed), CancellationToken.None);
        await log.CheckpointAsync(CancellationToken.None);
        await _audit.CloseAsync();
        // Someone without the token appends a well-chained "snapshot" that forgets the revocation; no checkpoint can cover it.
        AppendForged(Snapshot((Grid, 1)));
        Assert.Equal(6, Floors().Of(Grid));
    }

    [Fact]
    public async Task A_snapshot_covered_only_by_a_checkpoint_of_another_key_is_not_trusted()
    {
        var log = _audit.Open();
        await log.AppendAsync(Anchor(Grid, 6), CancellationToken.None);
        await log.AppendAsync(Snapshot((Grid, 1)), CancellationToken.None);
        await log.CheckpointAsync(CancellationToken.None);
        await _audit.CloseAsync();
        using var stranger = Appliance.Devices.Tokens.SoftwareToken.Create();
        Assert.Equal(6, PolicyAnchorLog.ReadFloors(_audit.Directory, stranger.GetPublicKey(Appliance.Token.KeySlot.Audit)).Of(Grid));
        Assert.Equal(1, Floors().Of(Grid)); // with the right key the snapshot stands (it is what the server wrote)
    }

    [Fact]
    public void No_log_means_no_floors() => Assert.Equal(0, PolicyAnchorLog.ReadFloors(_audit.Directory, _audit.PublicKey).Count);

    /// <summary>Appends a correctly chained record after the last one, as anyone who can write the file could.</summary>
    private void AppendForged(AuditEntry entry)
    {
        var segment = AuditSegments.List(_audit.Directory)[^1].Path;
        var last = AuditReader.ReadAll(_audit.Directory).Last();
        var (_, line) = AuditRecordJson.Seal(last.Seq + 1, entry, last.Hash);
        using var file = new FileStream(segment, FileMode.Append);
        file.Write(line);
    }
}
