namespace Appliance.Fuzz;

/// <summary>One fuzz target: its name (the folder of its corpus under fuzz/corpus/) and the function AFL++ drives.</summary>
public sealed record FuzzTarget(string Name, Action<byte[]> Run, string Summary);

/// <summary>
/// Every target. A target returns normally on any input it accepts or correctly refuses; anything it lets
/// escape (an unexpected exception type, a <see cref="FuzzFinding"/>) is a crash for AFL++ and a failed replay test.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Inputs are cut here: the front and gRPC refuse a message over 16 KiB long before any parser.</summary>
    public const int MaxInputBytes = 64 * 1024;

    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        new("params", RequestTargets.Params, "RequestValidator.Validate + CanonicalRequest.Build, read back"),
        new("query", RequestTargets.Query, "WireRequestParser.ParseQuery, then validate and build"),
        new("json-body", RequestTargets.JsonBody, "WireRequestParser.ParseJsonBody, then validate and build"),
        new("config", FileTargets.Config, "ApplianceConfig.Parse (appliance.json)"),
        new("bot-profile", FileTargets.BotProfile, "BotStore.ParseProfile (bots/NAME.json)"),
        new("sealed-credential", FileTargets.SealedCredential, "SealedCredential.FromJson (credentials/NAME.json)"),
        new("panel-line", SocketLineTargets.PanelLine, "PanelCommands.Parse (panel.sock lines)"),
        new("admin-line", SocketLineTargets.AdminLine, "AdminCommands.TryParse + AdminReply.Parse (admin.sock lines)"),
    ];

    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"No fuzz target '{name}'; the targets are {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));
}
