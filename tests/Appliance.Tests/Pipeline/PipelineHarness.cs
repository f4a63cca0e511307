using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Approval;
using Appliance.Common;
using Appliance.Credentials;
using Appliance.Devices.Tokens;
using Appliance.Orders;
using Appliance.Pipeline;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Tests.Support;
using Appliance.Token;
using Appliance.Upbit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Pipeline;

/// <summary>
/// The request pipeline on its own, without Kestrel: real registry, vault (software token), guards and
/// policy; in-memory audit; a scripted upstream that records what reached it. One bot ("trader") and
/// one credential ("main"); more bots via <see cref="AddBot"/>.
/// </summary>
internal sealed class PipelineHarness : IDisposable
{
    public const string Secret = "harness-secret-0123456789";
    private readonly TempDir _dir = new("appliance-pipeline");
    private readonly SoftwareToken _token = SoftwareToken.Create();
    private readonly Dictionary<string, X509Certificate2> _certificates = [];

    public PipelineHarness(Func<BotProfile, BotProfile>? trader = null, IApprovalGate? approvals = null, string[]? credentialScopes = null,
        Task? restored = null)
    {
        Time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-29T12:00:00Z"));
        AddCredential("main", credentialScopes ?? ["view-assets", "view-orders", "trade", "withdraw"]);
        Bots = new BotRegistry(new BotStore(_dir.Path), Time, NullLogger.Instance, TimeSpan.Zero);
        AddBot("trader", trader);
        State = new ApplianceState();
        Approvals = approvals ?? new NoPanelApprovalGate(new LogTouchPrompt(NullLogger<LogTouchPrompt>.Instance), Time);
        Guards = new PipelineGuards(new ReplayGuard(Time, TimeSpan.FromSeconds(5)), new SentRequests(Time), new OrderOwners(Time),
            new WithdrawalPolicy(Time), new RateGuard(Time, new UpbitRates())) { Restored = restored ?? Task.CompletedTask };
        var keys = new KeyRing(Vault, new TouchUnsealer(Vault, () => _token, State, new TokenPresenceOptions(), Time), State);
        Pipeline = new RequestPipeline(Bots, keys, State, Guards, Approvals, Audit, Upstream,
            new DecisionObservers(Metrics, DecisionObservers.Nobody, DecisionObservers.Nobody, DecisionObservers.Nobody), new SignerOptions(), Time);
    }

    public FakeTimeProvider Time { get; }
    public BotRegistry Bots { get; }
    public CredentialVault Vault { get; } = new(TimeProvider.System);
    public ApplianceState State { get; }
    public IApprovalGate Approvals { get; }
    public PipelineGuards Guards { get; }
    public MemoryAudit Audit { get; } = new();
    public ScriptedUpstream Upstream { get; } = new();
    public CountingObserver Metrics { get; } = new();
    public RequestPipeline Pipeline { get; }

    public void AddCredential(string name, string[] scopes)
    {
        var meta = new CredentialMetadata(name, name + "-access", ApprovalMode.None, scopes, Time.GetUtcNow(), Time.GetUtcNow().AddDays(365));
        var store = new CredentialStore(_dir.Path);
        store.Add(CredentialSealer.Seal(meta, _token.GetPublicKey(KeySlot.Seal), Encoding.UTF8.GetBytes(Secret)));
        Vault.Load(store.List(), _token);
    }

    public void AddBot(string name, Func<BotProfile, BotProfile>? shape = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var certificate = request.CreateSelfSigned(Time.GetUtcNow().AddDays(-1), Time.GetUtcNow().AddDays(90));
        _certificates[name] = certificate;
        var profile = new BotProfile
        {
            Name = name, Thumbprint = Thumbprints.Sha256Hex(certificate), Credential = "main",
            Scopes = ["view-assets", "view-orders", "trade"], AllowIps = ["127.0.0.0/8"],
            Created = Time.GetUtcNow(), CertExpires = Time.GetUtcNow().AddDays(90),
        };
        new BotStore(_dir.Path).Save(shape?.Invoke(profile) ?? profile);
        Bots?.Reload();
    }

    public void Revoke(string name)
    {
        var store = new BotStore(_dir.Path);
        store.Save(store.Load(name) with { Revoked = Time.GetUtcNow() });
        Time.Advance(TimeSpan.FromMilliseconds(1)); // a new file time, so the reload sees the change
        Bots.Reload();
    }

    public BotCall Call(string method, string path, string bot = "trader", string? requestId = null, CallKind kind = CallKind.Send,
        params (string Key, string Value)[] parameters) =>
        new(_certificates[bot], IPAddress.Loopback, kind, method, path, parameters.Select(p => new UpbitParam(p.Key, p.Value)).ToList(), "", requestId,
            kind == CallKind.Send ? null : Time.GetUtcNow());

    public Task<SendResult> Send(string method, string path, string bot = "trader", string? requestId = null, params (string, string)[] parameters) =>
        Pipeline.SendAsync(Call(method, path, bot, requestId, CallKind.Send, parameters), CancellationToken.None);

    public void Dispose()
    {
        Bots.Dispose();
        Vault.Dispose();
        _token.Dispose();
        foreach (var c in _certificates.Values) c.Dispose();
        _dir.Dispose();
    }
}

/// <summary>Decisions and outcomes in memory; can be made to fail like a full disk.</summary>
internal sealed class MemoryAudit : IAuditSink
{
    public ConcurrentQueue<SignDecision> Decisions { get; } = new();
    public ConcurrentQueue<SendOutcome> Outcomes { get; } = new();
    public bool Fail { get; set; }

    public ValueTask RecordAsync(SignDecision decision, CancellationToken cancellationToken)
    {
        if (Fail) throw Refusals.AuditUnavailable();
        Decisions.Enqueue(decision);
        return ValueTask.CompletedTask;
    }

    public void RecordOutcome(SendOutcome outcome) => Outcomes.Enqueue(outcome);
}

/// <summary>The send step's port, scripted: answers 200 "{}" unless told otherwise; records every request that reached it.</summary>
internal sealed class ScriptedUpstream : IUpbitUpstream
{
    public ConcurrentQueue<UpstreamRequest> Sent { get; } = new();
    public Func<UpstreamRequest, Task<UpstreamAnswer>>? Answer { get; set; }

    public async Task<UpstreamAnswer> SendAsync(UpstreamRequest request, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        Sent.Enqueue(request);
        if (Answer is { } answer) return await answer(request);
        return Ok("{}");
    }

    public static UpstreamAnswer Ok(string json, int status = 200, params (string, string)[] headers) =>
        new(status, Encoding.UTF8.GetBytes(json), headers.Append(("content-type", "application/json; charset=utf-8")).ToDictionary(h => h.Item1, h => h.Item2));
}

/// <summary>Counts what the pipeline's observers are told.</summary>
internal sealed class CountingObserver : IDecisionObserver
{
    public ConcurrentQueue<SignDecision> Seen { get; } = new();
    public int UnknownPeers;

    public void Observe(SignDecision decision, TimeSpan elapsed) => Seen.Enqueue(decision);

    public void UnknownPeer() => Interlocked.Increment(ref UnknownPeers);
}
