using System.Globalization;
using Appliance.Orders;
using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Bench;

/// <summary>
/// What never twice and order ownership keep per request, in managed bytes: N answered POST ids (and N
/// orders with a uuid) after the answer window has passed, measured as the live heap after a full,
/// compacting GC, minus the same before. The long-lived state is what decides RSS after hours.
/// Usage: dotnet run -c Release --project bench/Appliance.Bench -- kept [--ids 200000]
/// </summary>
internal static class KeptMemoryBench
{
    public static Task<int> RunAsync(string[] args)
    {
        var n = (int)Slices.Arg(args, "--ids", 200_000.0);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var body = new byte[200];
        UpbitParam[] order = [new("market", "KRW-BTC"), new("side", "bid"), new("ord_type", "limit"), new("price", "50000000"), new("volume", "0.001")];

        var before = Live();
        var sent = new SentRequests(time);
        for (var i = 0; i < n; i++)
        {
            var bot = $"soak-{i % 50:D2}";
            var id = Guid.NewGuid().ToString();
            var claim = sent.Claim(bot, id, SentRequests.Fingerprint(bot, id, "POST", "/v1/orders", "demo", order));
            claim.Ticket!.Answered(new SendResult(201, body, new Dictionary<string, string>(), Guid.CreateVersion7().ToString("N"), "none"));
        }
        time.Advance(TimeSpan.FromMinutes(11)); // past the answer window: only the long-lived state stays
        sent.Claim("soak-00", "after", SentRequests.Fingerprint("soak-00", "after", "POST", "/v1/orders", "demo", order));
        var inHour = Live();
        time.Advance(TimeSpan.FromMinutes(61)); // a later hour's generation: the earlier one's slack is given back
        sent.Claim("soak-00", "later", SentRequests.Fingerprint("soak-00", "later", "POST", "/v1/orders", "demo", order));
        var afterSent = Live();

        var owners = new OrderOwners(time);
        for (var i = 0; i < n; i++)
        {
            var identifier = OrderIdentifiers.Derive($"soak-{i % 50:D2}", Guid.NewGuid().ToString());
            owners.Placed($"soak-{i % 50:D2}", identifier, "KRW-BTC", 0.001m, time.GetUtcNow());
            owners.Answered(identifier, Guid.NewGuid().ToString());
        }
        var ownersGrowing = Live();
        time.Advance(TimeSpan.FromHours(8)); // a later generation (7 h each): the earlier one's slack is given back
        owners.Placed("soak-00", "later", "KRW-BTC", 0.001m, time.GetUtcNow());
        var afterOwners = Live();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"never twice: {sent.Count} ids kept, {(inHour - before) / (double)n:F0} bytes per POST id after the answer window, {(afterSent - before) / (double)n:F0} once its hour is over"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"order owners: {owners.Count} orders, {(ownersGrowing - afterSent) / (double)n:F0} bytes per order (identifier and uuid) in its generation, {(afterOwners - afterSent) / (double)n:F0} once that is over"));
        GC.KeepAlive(sent);
        GC.KeepAlive(owners);
        return Task.FromResult(0);
    }

    private static long Live()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}
