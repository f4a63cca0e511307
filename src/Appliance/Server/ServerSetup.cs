using Appliance.Audit;
using Appliance.Config;
using Appliance.Credentials;
using Appliance.Devices.Tokens;
using Appliance.Pipeline;
using Appliance.Token;
using Microsoft.Extensions.Logging;

namespace Appliance.Server;

/// <summary>Everything a server needs that the caller decides. The server owns <see cref="Token"/> once started.</summary>
public sealed record ServerSetup(DataDir Data, ApplianceConfig Config, IHardwareToken Token)
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Overrides appliance.json's listen addresses (--listen); port 0 picks a free port.</summary>
    public IReadOnlyList<string>? Listen { get; init; }

    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>Null: a PanelApprovalGate on <see cref="Panel"/>, or without a panel button approvals are refused.</summary>
    public IApprovalGate? Approvals { get; init; }

    /// <summary>LEDs, display and buttons; with one, withdrawals wait for a press (PanelApprovalGate). The caller owns it.</summary>
    public Panel.IPanel? Panel { get; init; }

    /// <summary>Null: Upbit's documented per-group rates (order rate from appliance.json).</summary>
    public UpbitRates? Rates { get; init; }

    /// <summary>Null: decisions go to the hash-chained FileAuditLog under DATA_DIR/audit (tests may override).</summary>
    public IAuditSink? Audit { get; init; }

    /// <summary>Rotation, checkpoint and disk settings of the default FileAuditLog; null: defaults.</summary>
    public FileAuditLogOptions? AuditOptions { get; init; }

    /// <summary>Overrides appliance.json's upbit_url (serve --upbit-url).</summary>
    public string? UpbitUrl { get; init; }

    /// <summary>Lets <see cref="UpbitUrl"/> name any host, over http too (serve --insecure-test-upstream): tests and the demo's stand-in.</summary>
    public bool InsecureTestUpstream { get; init; }

    /// <summary>Null: an HttpClient to the upstream above.</summary>
    public IUpbitUpstream? Upstream { get; init; }

    /// <summary>Overrides appliance.json's metrics address (port 0 picks a free port).</summary>
    public string? MetricsListen { get; init; }

    /// <summary>How often the bots directory is re-read, so a revoke reaches the running server.</summary>
    public TimeSpan BotPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Opens a new instance of the pinned token after it was unplugged (a PKCS#11 instance that saw its
    /// token go stays absent). Null: the presence monitor waits for the same instance to come back.
    /// </summary>
    public Func<IHardwareToken>? ReopenToken { get; init; }

    /// <summary>Null: touch prompts without a panel go to the log.</summary>
    public ITouchPrompt? TouchPrompt { get; init; }

    public TokenPresenceOptions TokenOptions { get; init; } = new();
}
