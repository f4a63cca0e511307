using System.Net;
using Appliance.Alerts;
using Appliance.Approval;
using Appliance.Audit;
using Appliance.Credentials;
using Appliance.Grpc;
using Appliance.Pki;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Pipeline;
using Appliance.Token;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Appliance.Devices.Tokens;

namespace Appliance.Server;

/// <summary>
/// The gRPC server: Kestrel, HTTP/2 over TLS 1.2+ with a client certificate required on every
/// connection. Owns the token, the vault of unsealed secrets and the web host; disposing it
/// zeroes every secret.
/// </summary>
public sealed class ApplianceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _started;

    private ApplianceServer(WebApplication app, CredentialVault vault, ApplianceState state)
    {
        _app = app;
        Vault = vault;
        State = state;
    }

    public CredentialVault Vault { get; }

    public ApplianceState State { get; }

    public BotRegistry Bots => _app.Services.GetRequiredService<BotRegistry>();

    /// <summary>The panel's LEDs and display, when the server has a panel.</summary>
    public Panel.PanelController? Panel => _app.Services.GetService<Panel.PanelController>();

    /// <summary>Watches the token; owns the current instance. Subscribe to its Changed event for audit and LEDs.</summary>
    public TokenPresenceMonitor Token => _app.Services.GetRequiredService<TokenPresenceMonitor>();

    /// <summary>The hash-chained audit log; null when ServerSetup.Audit overrides it.</summary>
    public FileAuditLog? AuditLog => _app.Services.GetService<FileAuditLog>();

    /// <summary>The Prometheus endpoint; its Address is null when off or not bound.</summary>
    public Metrics.MetricsEndpoint Metrics => _app.Services.GetRequiredService<Metrics.MetricsEndpoint>();

    /// <summary>Alerts (audit record, metric, webhook); the alert LED subscribes to AlertRaised.</summary>
    public AlertDispatcher Alerts => _app.Services.GetRequiredService<AlertDispatcher>();

    /// <summary>The https:// addresses Kestrel actually bound (port 0 resolved).</summary>
    public IReadOnlyList<Uri> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a.Replace("[::]", "[::1]").Replace("0.0.0.0", "127.0.0.1"))).ToList();

    public static async Task<ApplianceServer> StartAsync(ServerSetup setup, CancellationToken cancellationToken)
    {
        var listen = (setup.Listen ?? setup.Config.Listen).Select(Config.ListenAddress.Parse).ToList();
        var time = setup.Time;
        using var ca = ApplianceCa.Load(setup.Data.CaDir, time);
        var serverCertificate = ca.IssueServerCertificate(ServerNames.Default(listen));
        var vault = new CredentialVault(time);
        var policy = PolicyServices.CreateGate(setup); // signed policy: only records whose signature verifies load
        vault.Load(policy.Credentials(setup.Data), setup.Token);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (setup.Logging is not null) setup.Logging(builder.Logging);
        else if (Microsoft.Extensions.Hosting.Systemd.SystemdHelpers.IsSystemdService()) builder.Logging.AddSystemdConsole(); // journald priorities
        else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        // One line per HTTP request would bury the audit and panel lines; the audit log has every request.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var endPoint in listen)
                kestrel.Listen(endPoint, options =>
                {
                    options.Protocols = HttpProtocols.Http2;
                    options.UseHttps(https =>
                    {
                        https.ServerCertificate = serverCertificate;
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        // Identity is the pinned thumbprint, checked per request with a reason code;
                        // a certificate from any other CA then matches no bot.
                        https.AllowAnyClientCertificate();
                    });
                });
        });

        var state = new ApplianceState();
        var services = builder.Services;
        services.AddSingleton(time);
        services.AddSingleton(setup.Config.ToSignerOptions());
        services.AddSingleton(state);
        services.AddSingleton(vault);
        services.AddSingleton(sp => new BotRegistry(new BotStore(setup.Data.Root), time,
            sp.GetRequiredService<ILogger<BotRegistry>>(), setup.BotPollInterval, policy));
        services.AddSingleton(sp => new ReplayGuard(time, sp.GetRequiredService<SignerOptions>().ClockSkew,
            sp.GetRequiredService<SignerOptions>().ReplayCapacityPerBot));
        services.AddSingleton(new UpbitRateGuard(time, setup.Rates ?? setup.Config.ToUpbitRates()));
        services.AddApprovals(setup, vault, state);
        services.AddSignedPolicy(setup, policy);
        services.AddAuditAndAlerts(setup); // the hash-chained log under DATA_DIR/audit (or setup.Audit) and the alert rules
        services.AddSingleton<SignMetrics>();
        // The container disposes the monitor, and with it the current token instance.
        services.AddSingleton(sp => new TokenPresenceMonitor(setup.Token, vault, state,
            () => policy.Credentials(setup.Data), Config.TokenDescriptor.Load(setup.Data.TokenFile), setup.ReopenToken,
            time, sp.GetRequiredService<ILogger<TokenPresenceMonitor>>(), setup.TokenOptions.PollInterval));
        services.AddSingleton(setup.TokenOptions);
        services.AddSingleton(sp => new CredentialReloader(setup.Data.CredentialsDir, sp.GetRequiredService<TokenPresenceMonitor>().TryReloadCredentials,
            time, sp.GetRequiredService<ILogger<CredentialReloader>>(), setup.BotPollInterval * 4));
        services.AddSingleton(sp => setup.TouchPrompt ?? new LogTouchPrompt(sp.GetRequiredService<ILogger<LogTouchPrompt>>()));
        services.AddSingleton(sp => new TouchUnsealer(vault, () => sp.GetRequiredService<TokenPresenceMonitor>().Current, state,
            sp.GetRequiredService<ITouchPrompt>(), setup.TokenOptions, time, sp.GetRequiredService<ILogger<TouchUnsealer>>()));
        services.AddSingleton<SignPipeline>();
        services.AddSingleton(sp => new StatusReporter(sp.GetRequiredService<BotRegistry>(), vault, state,
            setup.Token.IsSoftware, time) { Approvals = sp.GetRequiredService<IApprovalGate>() });
        services.AddGrpc(o => o.EnableDetailedErrors = false);
        services.AddGrpcReflection();
        FileAuditLog? audit = null;
        services.AddGrpcHealthChecks().AddCheck("signer", () => state.Name == "ready" && audit is not { IsAvailable: false }
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy()
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy(state.Name == "ready" ? "audit unavailable" : state.Name));

        // Build the refusal status once now: its protobuf descriptors take a moment to load, and the
        // first refusal after a key is pulled should not pay for that.
        _ = RefusalStatus.ToRpcException(new Common.SignRefusal(Common.RefusalKind.FailedPrecondition, Common.Reasons.KeyAbsent, "warm-up"));

        var app = builder.Build();
        app.MapGrpcService<SignerService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        var server = new ApplianceServer(app, vault, state);
        try
        {
            var monitor = server.Token; // created now, so the container owns the token even if start fails
            app.Services.GetRequiredService<CredentialReloader>();
            audit = app.Services.StartAuditAndAlerts(); // opens the log now: a damaged or unwritable log stops the start
            await app.Services.StartSignedPolicyAsync(setup, cancellationToken);
            await app.StartAsync(cancellationToken);
            server._started = true;
            monitor.Start();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
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
        Vault.Dispose();
    }
}
