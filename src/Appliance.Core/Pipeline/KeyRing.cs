using Appliance.Common;
using Appliance.Credentials;

namespace Appliance.Pipeline;

/// <summary>Where the signing secrets are: held in the vault, or unsealed per use by a YubiKey touch.</summary>
public sealed class KeyRing(CredentialVault vault, TouchUnsealer touch, ApplianceState state)
{
    public CredentialVault Vault => vault;

    public TouchUnsealer Touch => touch;

    /// <summary>Signs with a held secret; the span lives only inside the call.</summary>
    public T UseSecret<T>(string credential, SecretUse<T> use)
    {
        try { return vault.UseSecret(credential, use); }
        catch (SignRefusal refusal) when (refusal.Reason == Reasons.Sealed && !state.TokenPresent)
        {
            state.EnsureCanSign(); // the key was pulled between the state check and here: say KEY_ABSENT, not SEALED
            throw;
        }
    }
}

/// <summary>The stateful checks of one request: replay (detached), never-twice (Send), order owners, withdrawal totals, rates.</summary>
public sealed record PipelineGuards(
    ReplayGuard Replay,
    SentRequests Sent,
    Orders.OrderOwners Orders,
    Policy.WithdrawalPolicy Withdrawals,
    RateGuard Rates)
{
    /// <summary>
    /// Completes when the request ids and order owners of the recent audit log are restored at start;
    /// until then a request waits, so nothing is sent twice across a restart.
    /// </summary>
    public Task Restored { get; init; } = Task.CompletedTask;
}
