using System.Diagnostics.Metrics;
using Appliance.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Appliance.Metrics;

/// <summary>
/// The Prometheus endpoint (plain HTTP, GET /metrics; 127.0.0.1:9464 by default, appliance.json
/// "metrics", null to turn off). It exports this server's System.Diagnostics.Metrics instruments
/// (meters made by its IMeterFactory) through prometheus-net's MeterAdapter into a registry of its
/// own; names come out as appliance_ + the instrument name (appliance_sign_requests{…}).
/// A port that cannot be bound is logged, never fatal: signing matters more than metrics.
/// </summary>
public sealed class MetricsEndpoint(string? listen, IMeterFactory meters, ILogger<MetricsEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;
    private IDisposable? _adapter;

    /// <summary>The bound http:// address of /metrics; null when off or not bound.</summary>
    public Uri? Address { get; private set; }

    /// <summary>
    /// Kestrel's per-connection instruments, labelled by how a connection ended (error.type=tls_handshake_failed, the
    /// TLS version): a stranger whose certificate the handshake refuses would add series to /metrics. Requests from
    /// bots are counted by the appliance's own instruments.
    /// </summary>
    internal static bool PeerLabelled(System.Diagnostics.Metrics.Instrument instrument) =>
        instrument.Meter.Name == "Microsoft.AspNetCore.Server.Kestrel"
        && instrument.Name is "kestrel.connection.duration" or "kestrel.tls_handshake.duration";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(listen)) return;
        var endPoint = ListenAddress.Parse(listen);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry), // without it the adapter writes to the global registry
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter.Scope, meters) && !PeerLabelled(instrument),
        });
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(endPoint, o => o.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.MapMetrics("/metrics", registry);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        // Kestrel wraps a port in use at bind as IOException, but one taken between bind and listen surfaces as the
        // bare SocketException (seen in CI): either way the metrics endpoint, never signing, is what stops.
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            logger.LogError("metrics endpoint not started on {Listen}: {Error}; signing goes on without it", listen, e.Message);
            await app.DisposeAsync();
            return;
        }
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound.TrimEnd('/') + "/metrics");
        logger.LogInformation("metrics on {Address}", Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _app = null;
        _adapter?.Dispose();
    }
}
