using System.Diagnostics.Metrics;
using Appliance.Admin;
using Appliance.Alerts;
using Appliance.Approval;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Config;
using Appliance.Credentials;
using Appliance.Devices.Tokens;
using Appliance.Grpc;
using Appliance.Orders;
using Appliance.Panel;
using Appliance.Pipeline;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Streams;
using Appliance.Upstream;
using Microsoft.Extensions.Logging;

namespace Appliance.Server;

/// <summary>
/// The one place that wires the appliance: every part is built here, by hand and in order, and
/// disposed here in reverse. Feature folders register nothing; the web host only gets the finished
/// pipeline, status reporter and the hosted services.
/// </summary>
internal sealed class Composition : IAsyncDisposable
{
    private readonly List<object> _owned = []; // disposed in reverse order of creation

    public required ApplianceState State { get; init; }
    public required CredentialVault Vault { get; init; }
    public required TokenPresenceMonitor Token { get; init; }
    public required BotRegistry Bots { get; init; }
    public required BotConnections Connections { get; init; }
    public required FileAuditLog? AuditLog { get; init; }
    public required AuditRetention? Retention { get; init; }
    public required AlertDispatcher Alerts { get; init; }
    public required PanelController? Panel { get; init; }
    public required IApprovalGate Approvals { get; init; }
    public required PauseControl Pause { get; init; }
    public required RequestPipeline Pipeline { get; init; }
    public required StatusReporter Status { get; init; }
    public required PipelineGuards Guards { get; init; }
    public required StreamRelay Streams { get; init; }

    public required PolicyReload Policy { get; init; }

    /// <summary>The pipeline's observers, for refusals that happen before the pipeline (the TLS handshake).</summary>
    public required DecisionObservers Observers { get; init; }

    /// <summary>
    /// A client certificate the registry never issued, refused in the handshake: counted in the one unknown-peer
    /// counter and the rate-limited log line, no alert (an alert is an audit record, and a flood must not write).
    /// </summary>
    public void HandshakeRefused()
    {
        Observers.Metrics.UnknownPeer();
        Observers.Log.UnknownPeer();
    }

    public static Composition Build(ServerSetup setup, BotConnections connections, ILoggerFactory logs, IMeterFactory meters)
    {
        var owned = new List<object>();
        T Own<T>(T part) where T : notnull { owned.Add(part); return part; }
        try
        {
            var time = setup.Time;
            var config = setup.Config;
            var state = new ApplianceState();

            // Signed policy: only bots and credentials whose signature verifies (and is not below its anchored floor) load.
            var policy = PolicyServices.CreateGate(setup);

            // Secrets: unsealed with the token in the port; the monitor owns the token from here on.
            var vault = Own(new CredentialVault(time));
            vault.Load(policy.Credentials(setup.Data), setup.Token);
            var token = Own(new TokenPresenceMonitor(setup.Token, vault, state, () => policy.Credentials(setup.Data), TokenDescriptor.Load(setup.Data.TokenFile),
                setup.ReopenToken, time, logs.CreateLogger<TokenPresenceMonitor>(), setup.TokenOptions.PollInterval));
            Own(new CredentialReloader(setup.Data.CredentialsDir, token.TryReloadCredentials, time, logs.CreateLogger<CredentialReloader>(), setup.BotPollInterval * 4));
            var touch = new TouchUnsealer(vault, () => token.Current, state, setup.TokenOptions, time, logs.CreateLogger<TouchUnsealer>());

            // Who may ask, and the record of what was done: checkpoints are signed by the token in the port now.
            var bots = Own(new BotRegistry(new BotStore(setup.Data.Root), time, logs.CreateLogger<BotRegistry>(), setup.BotPollInterval, policy));
            var fileAudit = setup.Audit is null
                ? Own(FileAuditLog.Open(setup.Data.AuditDir, new TokenCheckpointSigner(new LiveToken(token, setup.Token.Serial, setup.Token.IsSoftware)),
                    setup.AuditOptions ?? new FileAuditLogOptions { MaxSegmentBytes = config.Audit.SegmentBytes }, time,
                    logs.CreateLogger<FileAuditLog>(), meters))
                : null;
            // Compression, pruning behind a signed anchor, disk figures (status, metrics, the audit_disk alert).
            var retention = fileAudit is null ? null
                : Own(new AuditRetention(fileAudit, config.Audit, time, logs.CreateLogger<AuditRetention>(), gauges: true));
            IAuditSink audit = setup.Audit ?? fileAudit!;

            // Alerts, the panel and approvals.
            var webhook = config.Alerts.Webhook is { } url ? new WebhookSender(new Uri(url), setup.Token.Serial, time, logs.CreateLogger<WebhookSender>()) : null;
            var alerts = Own(new AlertDispatcher(fileAudit, webhook, logs.CreateLogger<AlertDispatcher>(), meters));
            PolicyServices.AlertOnRejections(policy, alerts, time);
            var policyReload = Own(new PolicyReload(policy, bots, token, setup.Data, fileAudit, time, logs.CreateLogger<PolicyAnchoring>()));
            var rules = new AlertRules(config.Alerts, time);
            var panel = setup.Panel is { } device ? Own(new PanelController(device, state)) : null;
            Own(new AlertMonitor(rules, alerts, bots, vault, state, fileAudit, time, TimeSpan.FromSeconds(1), retention, config.Audit.DiskAlertPercent,
                config.CoolingOffPeriod, panel));
            retention?.Start(TimeSpan.FromMinutes(1));
            var approvals = setup.Approvals ?? (panel is not null
                ? Own(new PanelApprovalGate(panel, config.Approval, state, time, logs.CreateLogger<PanelApprovalGate>()))
                : Own(new NoPanelApprovalGate(setup.TouchPrompt ?? new LogTouchPrompt(logs.CreateLogger<LogTouchPrompt>()), time, config.Approval.MaxQueuedPerBot, config.Approval)));
            if (panel is not null) Own(new AlertLed(panel, alerts, fileAudit, approvals));
            var pause = Own(new PauseControl(state, setup.Panel, logs.CreateLogger<PauseControl>()));

            // A revoked bot's queued approvals end, and so do its open connections.
            bots.Revoked += bot => { approvals.CancelBot(bot.Name); connections.Close(bot); };

            // The pipeline.
            var upstream = setup.Upstream ?? Own(new UpbitHttpUpstream(UpstreamOptions.For(setup.UpbitUrl ?? config.UpbitUrl, setup.InsecureTestUpstream)
                with { MaxAnswerBytes = config.ToSignerOptions().MaxUpstreamBytes }, time, logs.CreateLogger<UpbitHttpUpstream>()));
            var options = config.ToSignerOptions();
            var sent = new SentRequests(time);
            var owners = new OrderOwners(time);
            var guards = new PipelineGuards(
                new ReplayGuard(time, options.ClockSkew, options.ReplayCapacityPerBot),
                sent,
                owners,
                new WithdrawalPolicy(time, fileAudit?.WithdrawalTotals, config.CoolingOffPeriod), // the 24 h totals survive a restart
                new RateGuard(time, setup.Rates ?? config.ToUpbitRates()))
            {
                // Never twice across a restart: read off the start path; requests wait for it.
                Restored = fileAudit is null ? Task.CompletedTask
                    : Task.Run(() => SendHistoryLoader.Load(setup.Data.AuditDir, sent, owners, time, logs.CreateLogger<SendHistoryLoader>())),
            };
            var metrics = Own(new RequestMetrics(meters));
            Metrics.ApplianceGauges.Register(meters, state);
            var observers = new DecisionObservers(metrics, new AlertObserver(rules, alerts), panel ?? DecisionObservers.Nobody,
                Own(new RefusalLog(logs.CreateLogger<RequestPipeline>(), time)));
            var keys = new KeyRing(vault, touch, state);
            var pipeline = new RequestPipeline(bots, keys, state, guards, approvals, audit, upstream, observers, options, time);
            // The private WebSocket relay: one upstream connection per credential, beside the REST upstream.
            var streams = Own(new StreamRelay(new StreamAdmission(bots, vault, state, audit, guards.Rates, time), keys, bots, state, guards.Orders,
                StreamOptions.For(UpstreamOptions.For(setup.UpbitUrl ?? config.UpbitUrl, setup.InsecureTestUpstream).BaseAddress) with { JwtAlgorithm = options.JwtAlgorithm },
                time, logs.CreateLogger<StreamRelay>()));
            var status = new StatusReporter(bots, vault, state, setup.Token.IsSoftware, time) { Approvals = approvals };

            var composition = new Composition
            {
                State = state, Vault = vault, Token = token, Bots = bots, Connections = connections, AuditLog = fileAudit, Retention = retention, Alerts = alerts,
                Panel = panel, Approvals = approvals, Pause = pause, Pipeline = pipeline, Status = status, Guards = guards, Streams = streams,
                Policy = policyReload, Observers = observers,
            };
            composition._owned.AddRange(owned);
            return composition;
        }
        catch
        {
            DisposeAll(owned).AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public ValueTask DisposeAsync() => DisposeAll(_owned);

    private static async ValueTask DisposeAll(List<object> owned)
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            switch (owned[i])
            {
                case IAsyncDisposable a: await a.DisposeAsync(); break;
                case IDisposable d: d.Dispose(); break;
            }
        }
        owned.Clear();
    }
}
