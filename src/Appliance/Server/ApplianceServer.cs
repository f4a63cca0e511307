using System.Diagnostics.Metrics;
using Appliance.Admin;
using Appliance.Alerts;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Config;
using Appliance.Credentials;
using Appliance.Devices.Tokens;
using Appliance.Front;
using Appliance.Grpc;
using Appliance.Pipeline;
using Appliance.Pki;
using Appliance.Policy;
using Appliance.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Server;

/// <summary>
/// The running appliance: Kestrel with gRPC and the HTTPS front on one mTLS listener, over the parts
/// <see cref="Composition"/> wires. Owns the token, the vault of unsealed secrets and the web host;
/// disposing it zeroes every secret.
/// </summary>
public sealed class ApplianceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Composition _parts;
    private bool _started;

    private ApplianceServer(WebApplication app, Composition parts) => (_app, _parts) = (app, parts);

    public CredentialVault Vault => _parts.Vault;
    public ApplianceState State => _parts.State;
    public BotRegistry Bots => _parts.Bots;
    public BotConnections Connections => _parts.Connections;
    public PipelineGuards Guards => _parts.Guards;
    public IApprovalGate Approvals => _parts.Approvals;

    /// <summary>The private WebSocket relay (gRPC Subscribe, /websocket/v1/private).</summary>
    public StreamRelay Streams => _parts.Streams;

    /// <summary>The panel's LEDs and display, when the server has a panel.</summary>
    public Panel.PanelController? Panel => _parts.Panel;

    /// <summary>Watches the token; owns the current instance. Subscribe to its Changed event for audit and LEDs.</summary>
    public TokenPresenceMonitor Token => _parts.Token;

    /// <summary>The hash-chained audit log; null when ServerSetup.Audit overrides it.</summary>
    public FileAuditLog? AuditLog => _parts.AuditLog;

    /// <summary>The Prometheus endpoint; its Address is null when off or not bound.</summary>
    public Metrics.MetricsEndpoint Metrics => _app.Services.GetRequiredService<Metrics.MetricsEndpoint>();

    /// <summary>Alerts (audit record, metric, webhook); the alert LED subscribes to AlertRaised.</summary>
    public AlertDispatcher Alerts => _parts.Alerts;

    /// <summary>The https:// addresses Kestrel actually bound (port 0 resolved).</summary>
    public IReadOnlyList<Uri> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a.Replace("[::]", "[::1]").Replace("0.0.0.0", "127.0.0.1"))).ToList();

    public static async Task<ApplianceServer> StartAsync(ServerSetup setup, CancellationToken cancellationToken)
    {
        var listen = (setup.Listen ?? setup.Config.Listen).Select(ListenAddress.Parse).ToList();
        using var ca = ApplianceCa.Load(setup.Data.CaDir, setup.Time);
        var serverCertificate = ca.IssueServerCertificate(ServerNames.Default(listen));

        var builder = WebApplication.CreateSlimBuilder();
        ConfigureLogging(builder.Logging, setup);
        var services = builder.Services;
        services.AddGrpc(o =>
        {
            o.EnableDetailedErrors = false;
            o.MaxReceiveMessageSize = KestrelSetup.MaxRequestBytes;
            o.MaxSendMessageSize = 8 << 20; // Upbit's answer (at most 4 MiB) and the envelope
        });
        if (setup.Config.GrpcReflection) services.AddGrpcReflection();
        services.AddSingleton(setup.Time);

        // The parts are built once the host's logging and metrics exist; the host only hands them out.
        Composition? parts = null;
        services.AddSingleton(_ => parts!.Pipeline);
        services.AddSingleton(_ => parts!.Status);
        services.AddSingleton<UpbitFront>();
        services.AddSingleton(_ => parts!.Streams);
        services.AddSingleton<PrivateSocketFront>();
        services.AddGrpcHealthChecks().AddCheck("signer", () => parts!.State.Kind == ApplianceStateKind.Ready && parts.AuditLog is not { IsAvailable: false }
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy(parts.State.Kind == ApplianceStateKind.Ready ? "audit unavailable" : parts.State.Name));
        services.AddSingleton(sp => new Metrics.MetricsEndpoint(setup.MetricsListen ?? setup.Config.Metrics,
            sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ILogger<Metrics.MetricsEndpoint>>()));
        services.AddHostedService(sp => sp.GetRequiredService<Metrics.MetricsEndpoint>());
        services.AddHostedService(sp => new AdminSocketServer(setup.Data.AdminSocket, parts!.Pause, parts.Approvals, sp.GetRequiredService<ILogger<AdminSocketServer>>(),
            parts.Policy.ReloadAsync)
            { AuditDisk = parts.Retention is { } retention ? retention.Storage.Report : null });
        services.AddSystemd();
        services.AddHostedService(sp => new Metrics.SystemdWatchdog(sp.GetService<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier>(), setup.Time));

        // Build the refusal status once now: its protobuf descriptors take a moment to load, and the
        // first refusal after a key is pulled should not pay for that.
        _ = RefusalStatus.ToRpcException(Refusals.KeyAbsent());

        var connections = new BotConnections();
        // The registry exists once the parts are built, before the first handshake.
        builder.WebHost.ConfigureKestrel(kestrel => KestrelSetup.Configure(kestrel, listen, serverCertificate,
            thumbprint => parts?.Bots.IsIssued(thumbprint) ?? false, connections, () => parts?.HandshakeRefused()));
        var app = builder.Build();
        try
        {
            // Opens the audit log now too: a damaged or unwritable log stops the start.
            parts = Composition.Build(setup, connections, app.Services.GetRequiredService<ILoggerFactory>(), app.Services.GetRequiredService<IMeterFactory>());
            await parts.Policy.StartAsync(cancellationToken); // anchors what the policy gate admitted, before the first request
        }
        catch
        {
            await app.DisposeAsync();
            if (parts is not null) await parts.DisposeAsync();
            throw;
        }
        app.Use(GrpcBodyLimit.Apply);
        app.MapGrpcService<SignerService>();
        app.MapGrpcHealthChecksService();
        if (setup.Config.GrpcReflection) app.MapGrpcReflectionService();
        app.Services.GetRequiredService<UpbitFront>().Map(app);
        app.UseWebSockets();
        app.Lifetime.ApplicationStopping.Register(parts.Streams.EndAll);
        app.Services.GetRequiredService<PrivateSocketFront>().Map(app);

        var server = new ApplianceServer(app, parts);
        try
        {
            await app.StartAsync(cancellationToken);
            server._started = true;
            parts.Token.Start();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, ServerSetup setup)
    {
        logging.ClearProviders();
        if (setup.Logging is not null) setup.Logging(logging);
        else if (Microsoft.Extensions.Hosting.Systemd.SystemdHelpers.IsSystemdService()) logging.AddSystemdConsole(); // journald priorities
        else logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        // One line per HTTP request or gRPC refusal would bury the audit and panel lines (and let a bot
        // flood the journal); the audit log has every request, RefusalLog a bounded summary.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Grpc.AspNetCore.Server", LogLevel.Warning);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // A host that never started cannot be stopped (it throws, hiding why the start failed).
        if (_started)
        {
            try { await _app.StopAsync(); }
            catch (OperationCanceledException) { }
        }
        await _app.DisposeAsync();
        await _parts.DisposeAsync();
    }
}
