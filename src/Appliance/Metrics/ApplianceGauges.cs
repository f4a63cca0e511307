using System.Diagnostics.Metrics;
using Appliance.Common;
using Appliance.Pipeline;

namespace Appliance.Metrics;

/// <summary>The appliance's state as gauges: token present, paused. (Per-request counters are RequestMetrics.)</summary>
public static class ApplianceGauges
{
    public static void Register(IMeterFactory meters, ApplianceState state)
    {
        var meter = meters.Create(RequestMetrics.MeterName);
        meter.CreateObservableGauge("token.present", () => state.TokenPresent ? 1 : 0, description: "1 while the hardware key is present");
        meter.CreateObservableGauge("paused", () => state.Paused ? 1 : 0, description: "1 while the operator has paused signing");
    }
}
