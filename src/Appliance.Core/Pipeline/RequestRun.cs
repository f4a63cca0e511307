using Appliance.Common;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>The accumulator of one request: what each step learned, from which its one decision is made.</summary>
internal sealed class RequestRun(BotCall call, string auditId, long started)
{
    public BotCall Call { get; } = call;
    public string AuditId { get; } = auditId;
    public long Started { get; } = started;

    public BotProfile? Bot { get; set; }
    public Endpoint? Endpoint { get; set; }
    public string Credential { get; set; } = call.Credential;

    /// <summary>The credential's Upbit pocket, whose rate budget the request spends.</summary>
    public string Pocket { get; set; } = Upbit.Pockets.Main;

    /// <summary>The params as sent: the bot's, plus an order identifier the appliance added.</summary>
    public IReadOnlyList<UpbitParam> Params { get; set; } = call.Params;
    public string? Identifier { get; set; }
    public ApprovalGrant Approval { get; set; } = ApprovalGrant.NotNeeded;
    public WithdrawalReservation? Reservation { get; set; }
    public SentRequests.Ticket? Ticket { get; set; }
    public string? Nonce { get; set; }
    public string? TokenSha256 { get; set; }

    /// <summary>The durable decision, once written: from then on the request is sent, whatever follows.</summary>
    public SignDecision? Recorded { get; set; }
    public int? HttpStatus { get; set; }
    public bool Replayed { get; private set; }

    /// <summary>The reason a request did not complete (a reason code, CANCELLED or an exception type).</summary>
    public string? Failure { get; set; }

    /// <summary>How the request ended; set by the step that ends it.</summary>
    public Outcome Outcome { get; set; } = Outcome.Failed;

    /// <summary>A repeat of a request already sent: the earlier answer, nothing sent again.</summary>
    public async Task<SendResult> Replay(Task<SendResult> earlier)
    {
        var result = await earlier;
        Replayed = true;
        Outcome = Outcome.Sent;
        return result;
    }

    public SignDecision Decide(Outcome outcome, string? reason, DateTimeOffset now) =>
        new(AuditId, now, outcome, Replayed ? "REPLAYED" : reason, Bot?.Name ?? "-", Call.PeerAddress.ToString(), Credential,
            Call.Method, Call.Path, Params, Wire.Name(Approval.Mode), outcome is Outcome.Sent or Outcome.Signed ? Nonce : null,
            outcome is Outcome.Sent or Outcome.Signed ? TokenSha256 : null)
        {
            ApprovalWaited = Approval.Waited,
            ApprovalSteps = Approval.Steps,
            RequestId = Call.RequestId,
            // A request refused before validation finished still names its catalog endpoint when it has one.
            Endpoint = Endpoint ?? (EndpointCatalog.Default.TryFind(Call.Method, Call.Path, out var known) ? known : null),
        };
}
