using Appliance.Pipeline;
using System.Text;
using Appliance.Panel;
using Appliance.Upbit;

namespace Appliance.Approval;

/// <summary>
/// What the panel shows for an approval: short lines a 16-column display can page through, with
/// the address in groups of four characters so the operator can compare it chunk by chunk.
/// </summary>
public static class ApprovalDisplay
{
    public static ApprovalPrompt Prompt(ApprovalRequest request)
    {
        var p = request.Params;
        string? Get(string key) => p.FirstOrDefault(x => x.Key == key).Value;
        var e = request.Endpoint;
        return (e.Method, e.Path) switch
        {
            ("POST", "/v1/withdraws/coin") => new(request.Bot,
                Get("transaction_type") == "internal" ? "withdraw coin (internal)" : "withdraw coin",
                Get("currency"), Get("net_type"), Get("amount"), Get("address")),
            ("POST", "/v1/withdraws/krw") => new(request.Bot, "withdraw KRW to bank", "KRW", null, Get("amount"), null),
            ("POST", "/v1/pockets/transfers") => new(request.Bot, "transfer to pocket", Get("currency"), null, Get("amount"), Get("to")),
            ("POST", "/v1/pockets/universal_transfers") => new(request.Bot,
                Get("from") is { } from ? $"transfer from pocket {from}" : "transfer to pocket", Get("currency"), null, Get("amount"), Get("to")),
            ("POST", "/v1/deposits/krw") => new(request.Bot, "deposit KRW from bank", "KRW", null, Get("amount"), null),
            ("DELETE", "/v1/orders/open") => new(request.Bot, "cancel all open orders", null, null, null, null),
            _ => new(request.Bot, $"{e.Method} {e.Path}", null, null, null, null),
        };
    }

    /// <summary>The display lines for an approval; <paramref name="queued"/> more wait behind it.</summary>
    public static IReadOnlyList<string> Lines(ApprovalRequest request, int queued)
    {
        var prompt = Prompt(request);
        var lines = new List<string> { queued > 0 ? $"APPROVE? +{queued} wait" : "APPROVE?", $"bot {prompt.Bot}", prompt.Operation };
        if (prompt.Currency is not null) lines.Add(prompt.Network is null ? prompt.Currency : $"{prompt.Currency} net {prompt.Network}");
        if (prompt.Amount is not null) lines.Add($"amount {prompt.Amount}");
        if (prompt.Address is not null)
        {
            lines.Add(IsPocketTransfer(request) ? "to pocket:" : "address:");
            lines.AddRange(ApprovalText.AddressLines(prompt.Address));
        }
        if (request.Params.FirstOrDefault(x => x.Key == "secondary_address").Value is { } memo)
        {
            lines.Add("memo/tag:");
            lines.AddRange(ApprovalText.AddressLines(memo));
        }
        if (prompt.Currency is null)
        {
            // Not a withdrawal: show every parameter, since nothing else says what is being approved.
            lines.AddRange(request.Params.Select(x => $"{x.Key}={x.Value}"));
        }
        lines.Add($"credential {request.Credential}");
        return lines;
    }

    /// <summary>One line for the log: everything the display shows, the full address unbroken.</summary>
    public static string LogLine(ApprovalRequest request)
    {
        var prompt = Prompt(request);
        var text = new StringBuilder($"bot={prompt.Bot} op=\"{prompt.Operation}\" credential={request.Credential}");
        if (prompt.Currency is not null) text.Append($" currency={prompt.Currency}");
        if (prompt.Network is not null) text.Append($" net_type={prompt.Network}");
        if (prompt.Amount is not null) text.Append($" amount={prompt.Amount}");
        var addressKey = IsPocketTransfer(request) ? "to" : "address";
        if (prompt.Address is not null) text.Append($" {addressKey}={prompt.Address}");
        foreach (var x in request.Params.Where(x => x.Key != addressKey && x.Key is not ("currency" or "net_type" or "amount")))
            text.Append($" {x.Key}={x.Value}");
        return text.ToString();
    }

    private static bool IsPocketTransfer(ApprovalRequest request) =>
        request.Endpoint.MovesAssets && !request.Endpoint.IsWithdrawal;
}
