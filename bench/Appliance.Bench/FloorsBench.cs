using System.Diagnostics;
using Appliance.Audit;
using Appliance.Devices.Tokens;
using Appliance.Policy;
using Appliance.Token;
using Appliance.Upbit;

namespace Appliance.Bench;

/// <summary>
/// How long the server's start spends reading policy floors back from the audit log: with a checkpoint-covered
/// snapshot near the end (what the server writes every 10 000 records) against a log without one (a full scan),
/// as a ratio in the same run. Usage: -- --floors RECORDS [--dir PATH]
/// </summary>
public static class FloorsBench
{
    public static async Task<int> RunAsync(int records, string root)
    {
        using var token = SoftwareToken.Create();
        var key = token.GetPublicKey(KeySlot.Audit);
        var withSnapshot = await MakeLogAsync(Path.Combine(root, "with-snapshot"), token, records, snapshot: true);
        var without = await MakeLogAsync(Path.Combine(root, "full-scan"), token, records, snapshot: false);
        var fast = Time(withSnapshot, key);
        var slow = Time(without, key);
        var megabytes = Directory.GetFiles(without).Sum(f => new FileInfo(f).Length) / 1e6;
        Console.WriteLine($"{records} records ({megabytes:F1} MB): floors read in {fast:F1} ms with a snapshot near the end, {slow:F1} ms by a full scan (ratio {slow / fast:F1}x)");
        return 0;
    }

    private static double Time(string dir, byte[] key)
    {
        PolicyAnchorLog.ReadFloors(dir, key); // warm: JIT and page cache
        var watch = Stopwatch.StartNew();
        const int runs = 5;
        for (var i = 0; i < runs; i++) PolicyAnchorLog.ReadFloors(dir, key);
        return watch.Elapsed.TotalMilliseconds / runs;
    }

    private static async Task<string> MakeLogAsync(string dir, SoftwareToken token, int records, bool snapshot)
    {
        var floors = new PolicyFloors();
        for (var b = 0; b < 50; b++) floors.Raise(PolicyRecordKey.Bot("bot" + b), 3);
        await using var log = FileAuditLog.Open(dir, new TokenCheckpointSigner(token));
        var pending = new List<Task>();
        for (var i = 0; i < records; i++)
        {
            pending.Add(log.AppendAsync(new AuditEntry
            {
                Kind = AuditKind.Decision, Time = DateTimeOffset.UtcNow, Bot = "bot1", Peer = "127.0.0.1", Credential = "main",
                Method = "GET", Path = "/v1/orders/chance", Params = [new UpbitParam("market", "KRW-BTC")], Decision = "signed",
                ApprovalMode = "none", Nonce = Guid.NewGuid().ToString(), TokenSha256 = new string('a', 64),
            }, CancellationToken.None));
            if (pending.Count >= 2000) { await Task.WhenAll(pending); pending.Clear(); }
        }
        await Task.WhenAll(pending);
        if (snapshot)
        {
            await log.AppendAsync(PolicyAnchorLog.Snapshot(floors, DateTimeOffset.UtcNow), CancellationToken.None);
            await log.CheckpointAsync(CancellationToken.None);
        }
        return dir;
    }
}
