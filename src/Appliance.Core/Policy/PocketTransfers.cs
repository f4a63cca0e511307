using System.Text.RegularExpressions;
using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Policy;

/// <summary>
/// The destination allowlist of the two pocket transfers (<c>POST /v1/pockets/universal_transfers</c> and
/// <c>POST /v1/pockets/transfers</c>): <c>to</c> must be one of the bot's <see cref="BotProfile.TransferPockets"/>,
/// compared exactly (pocket UUIDs). Like a withdrawal address, it is judged before anyone is asked to approve.
/// </summary>
public static partial class PocketTransfers
{
    public const int MaxPocketLength = 64;

    public static void Check(BotProfile bot, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (!endpoint.MovesAssets || endpoint.IsWithdrawal) return;
        var what = $"{endpoint.Method} {endpoint.Path}";
        if (bot.TransferPockets.Count == 0) throw Refusals.NoTransferPockets(bot.Name, what);
        var to = parameters.FirstOrDefault(p => p.Key == "to").Value
            ?? throw Refusals.MissingParam("to", $"by {what}");
        if (!bot.TransferPockets.Contains(to, StringComparer.Ordinal))
            throw Refusals.TransferPocketDenied(bot.Name, what, to);
    }

    /// <summary>Checks a <c>--transfer-pocket</c> value: what Upbit takes in <c>to</c> (a pocket UUID).</summary>
    public static string Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!PocketPattern().IsMatch(value))
            throw new ArgumentException(
                $"--transfer-pocket '{value}' is not a pocket id; give the pocket's UUID as Upbit shows it (GET /v1/pockets), 1 to {MaxPocketLength} characters of [A-Za-z0-9._-].");
        return value;
    }

    /// <summary>Refuses destination pockets the bot could never use.</summary>
    public static void Validate(IReadOnlyList<string> pockets, IReadOnlyCollection<string> scopes)
    {
        if (pockets.Count > 0 && !scopes.Contains(Scopes.ToWire(Scope.PocketManage)) && !scopes.Contains(Scopes.ToWire(Scope.AssetTransfer)))
            throw new ArgumentException("--transfer-pocket needs the scope 'pocket-manage' or 'asset-transfer' in --scopes.");
        if (pockets.Distinct(StringComparer.Ordinal).Count() != pockets.Count)
            throw new ArgumentException("--transfer-pocket lists the same pocket twice; give each once.");
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PocketPattern();
}
