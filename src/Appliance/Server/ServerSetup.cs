using Appliance.Approval;
using Appliance.Audit;
using Appliance.Config;
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

    /// <summary>Null: withdrawals are refused (no panel to approve them).</summary>
    public IApprovalGate? Approvals { get; init; }

    /// <summary>Null: decisions go to the hash-chained FileAuditLog under DATA_DIR/audit (tests may override).</summary>
    public IAuditSink? Audit { get; init; }

    /// <summary>Rotation, checkpoint and disk settings of the default FileAuditLog; null: defaults.</summary>
    public FileAuditLogOptions? AuditOptions { get; init; }

    /// <summary>Overrides appliance.json's metrics address (port 0 picks a free port).</summary>
    public string? MetricsListen { get; init; }

    /// <summary>How often the bots directory is re-read, so a revoke reaches the running server.</summary>
    public TimeSpan BotPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}
