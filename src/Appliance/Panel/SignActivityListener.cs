using System.Diagnostics.Metrics;
using Appliance.Signing;

namespace Appliance.Panel;

/// <summary>
/// Calls <c>onSigned</c> once per signature by listening to the sign pipeline's own metric
/// (<c>appliance.sign.requests</c> with outcome "signed"), so the activity LED follows what was
/// really signed without the pipeline knowing about the panel.
/// </summary>
public sealed class SignActivityListener : IDisposable
{
    private readonly MeterListener _listener = new();

    /// <param name="meterFilter">Which meters count: the server's own (a process running several servers, like the tests, must tell them apart).</param>
    public SignActivityListener(Action onSigned, Func<Meter, bool> meterFilter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "appliance.sign.requests" && instrument.Meter.Name == SignMetrics.MeterName && meterFilter(instrument.Meter))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "outcome", Value: "signed" })
                {
                    for (var i = 0; i < value; i++) onSigned();
                    return;
                }
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();
}
