using System.Net;
using Appliance.Audit;
using Appliance.Pipeline;
using Appliance.Tests.Support;
using Appliance.Token;
using Appliance.Upbit;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Audit;

/// <summary>A FileAuditLog in a temp dir with a software token for checkpoints, and helpers to read and damage it.</summary>
public sealed class AuditTestLog : IAsyncDisposable
{
    private readonly TempDir _dir = new("appliance-audit");

    public AuditTestLog(FileAuditLogOptions? options = null)
    {
        Options = options ?? new FileAuditLogOptions { CheckpointInterval = TimeSpan.FromHours(1) };
        Token = SoftwareToken.Create();
        Directory = _dir.Sub("audit");
    }

    public string Directory { get; }
    public SoftwareToken Token { get; }
    public FileAuditLogOptions Options { get; }
    public FileAuditLog? Log { get; private set; }
    public byte[] PublicKey => Token.GetPublicKey(KeySlot.Audit);

    public FileAuditLog Open()
    {
        Log = FileAuditLog.Open(Directory, new TokenCheckpointSigner(Token), Options);
        return Log;
    }

    public async Task CloseAsync()
    {
        if (Log is not null) await Log.DisposeAsync();
        Log = null;
    }

    public static SignDecision Decision(int i, Outcome outcome = Outcome.Signed) => new(
        $"id{i:D4}", DateTimeOffset.UtcNow, outcome, outcome == Outcome.Signed ? null : "SCOPE_DENIED", "bot-a",
        IPAddress.Loopback.ToString(), "main", "GET", "/v1/orders/chance", [new UpbitParam("market", "KRW-BTC")], "none",
        outcome == Outcome.Signed ? Guid.NewGuid().ToString() : null,
        outcome == Outcome.Signed ? new string((char)('a' + i % 6), 64) : null);

    /// <summary>Opens, records <paramref name="count"/> decisions with a checkpoint every <paramref name="checkpointEvery"/>, closes.</summary>
    public async Task WriteAsync(int count, int checkpointEvery = 0)
    {
        var log = Log ?? Open();
        for (var i = 1; i <= count; i++)
        {
            await log.RecordAsync(Decision(i), CancellationToken.None);
            if (checkpointEvery > 0 && i % checkpointEvery == 0) await log.CheckpointAsync(CancellationToken.None);
        }
        await CloseAsync();
    }

    public AuditVerification Verify() => AuditVerifier.Verify(Directory, PublicKey);

    public string Segment(int index = 1) => AuditSegments.PathOf(Directory, index);

    public List<string> Lines(int index = 1) => File.ReadAllText(Segment(index)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    public void WriteLines(List<string> lines, int index = 1) => File.WriteAllText(Segment(index), string.Join('\n', lines) + "\n");

    public List<AuditRecord> Records() => AuditReader.ReadAll(Directory).ToList();

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        Token.Dispose();
        _dir.Dispose();
    }
}
