using Appliance.Common;

namespace Appliance.Sealing;

/// <summary>What physical approval a credential needs before its secret is used for a high-risk request.</summary>
public enum ApprovalMode
{
    /// <summary>No approval beyond the bot's policy (withdrawals still always need one).</summary>
    None,

    /// <summary>The approve button on the appliance.</summary>
    Button,

    /// <summary>A touch on the token; the credential is sealed to the touch-always slot.</summary>
    Touch,
}

/// <summary>The wire names "none", "button", "touch" used in envelopes, the CLI and SignResponse.approval (through <see cref="Wire"/>).</summary>
public static class ApprovalModes
{
    public static string ToWire(this ApprovalMode mode) => Wire.Name(mode);

    public static bool TryParse(string? wire, out ApprovalMode mode) => Wire.TryParse(wire, out mode);

    public static ApprovalMode Parse(string wire, string paramName = "approval") =>
        TryParse(wire, out var mode)
            ? mode
            : throw new ArgumentException($"Approval must be one of {Wire.List<ApprovalMode>()}; got '{Refusals.Echo(wire)}'.", paramName);
}
