using Appliance.Common;
using Appliance.Credentials;
using Appliance.Pipeline;
using Appliance.Sealing;
using Appliance.Token;
using Microsoft.Extensions.Logging;

namespace Appliance.Credentials;

/// <summary>
/// Unseals a touch-gated credential for one use: the YubiKey touch is the approval. The ECDH on the
/// touch-always slot blocks inside the token until the touch (or ~15 s, then fails like "not logged
/// in"), so it runs on a dedicated thread, never a thread-pool thread, while the prompt is shown.
/// <paramref name="currentToken"/> is the token in the port now (null while it is out). An error after <see cref="TokenPresenceOptions.TouchTimeoutAfter"/> is an approval timeout; a fast
/// error is a token fault. The secret is used once on that thread and zeroed before the result is handed back.
/// </summary>
public sealed class TouchUnsealer(
    CredentialVault vault,
    Func<IHardwareToken?> currentToken,
    ApplianceState state,
    TokenPresenceOptions options,
    TimeProvider time,
    ILogger? logger = null)
{
    /// <summary>True when <paramref name="credential"/> is unsealed by a touch (so the touch is its approval).</summary>
    public bool Gates(string credential) => vault.IsTouchGated(credential);

    /// <summary>
    /// Waits for the touch, unseals, runs <paramref name="use"/> once and zeroes the secret.
    /// Returns the result and how long the operator took. Refusals: APPROVAL_TIMEOUT (no touch),
    /// KEY_ABSENT (token gone), TOKEN_ERROR (the token failed at once). Cancellation abandons the
    /// wait: the token call cannot be interrupted, but its secret is zeroed unused when it returns.
    /// </summary>
    public async Task<(T Result, TimeSpan Waited)> UseSecretAsync<T>(
        string credential, SecretUse<T> use, CancellationToken cancellationToken)
    {
        var envelope = vault.TouchGatedEnvelope(credential);
        var token = currentToken();
        if (token is null || !state.TokenPresent) throw KeyAbsent();
        var done = new TaskCompletionSource<(T, TimeSpan)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => Run(envelope, token, use, done, cancellationToken))
        {
            IsBackground = true,
            Name = "touch-unseal",
        };
        thread.Start();
        return await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Step 2 of a two-step approval when the credential's secret is held (not touch-gated): the policy key, whose
    /// slot has touch policy "always" on a YubiKey, signs <paramref name="approvalDigest"/> (the approved request),
    /// which blocks in the token until the touch. Same thread, timing and refusals as <see cref="UseSecretAsync{T}"/>.
    /// On SoftHSM or the demo's software token the policy key has no touch, so this returns at once.
    /// </summary>
    public async Task<(byte[] Signature, TimeSpan Waited)> ConfirmAsync(byte[] approvalDigest, CancellationToken cancellationToken)
    {
        var token = currentToken();
        if (token is null || !state.TokenPresent) throw KeyAbsent();
        var done = new TaskCompletionSource<(byte[], TimeSpan)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var started = time.GetTimestamp();
            try
            {
                var signature = token.SignDigest(KeySlot.Policy, approvalDigest);
                if (!state.TokenPresent) done.TrySetException(KeyAbsent());
                else done.TrySetResult((signature, time.GetElapsedTime(started)));
            }
            catch (Exception e) { done.TrySetException(Classify(e, time.GetElapsedTime(started), token)); }
        })
        {
            IsBackground = true,
            Name = "touch-confirm",
        };
        thread.Start();
        return await done.Task.WaitAsync(cancellationToken);
    }

    private void Run<T>(SealedCredential envelope, IHardwareToken token, SecretUse<T> use,
        TaskCompletionSource<(T, TimeSpan)> done, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        SecretBytes secret;
        try
        {
            secret = CredentialSealer.Unseal(envelope, token);
        }
        catch (Exception e)
        {
            done.TrySetException(Classify(e, time.GetElapsedTime(started), token));
            return;
        }
        var waited = time.GetElapsedTime(started);
        T result;
        try
        {
            // The caller gave up (or the token left) while we waited: the secret is zeroed unused.
            if (cancellationToken.IsCancellationRequested) { done.TrySetCanceled(cancellationToken); return; }
            if (!state.TokenPresent) { done.TrySetException(KeyAbsent()); return; }
            result = use(envelope.Metadata, secret.Span);
        }
        catch (Exception e)
        {
            done.TrySetException(e);
            return;
        }
        finally
        {
            secret.Dispose();
            options.SecretReleasedForTests?.Invoke(secret);
        }
        done.TrySetResult((result, waited));
    }

    private Exception Classify(Exception e, TimeSpan waited, IHardwareToken token)
    {
        if (e is SignRefusal) return e;
        if (e is ObjectDisposedException || !state.TokenPresent || !token.IsPresent()) return KeyAbsent();
        if (waited >= options.TouchTimeoutAfter)
            return Refusals.NoTouch(waited);
        if (e is InvalidOperationException)
        {
            logger?.LogError("The YubiKey failed the touch operation at once: {Error}", e.Message);
            return Refusals.TokenError();
        }
        return e; // tampered envelope (CryptographicException) and the like: a failure, not a refusal
    }

    private static SignRefusal KeyAbsent() =>
        new(RefusalKind.FailedPrecondition, Reasons.KeyAbsent,
            "The hardware key is not present, so nothing was signed; plug the YubiKey back in and send the request again.");
}
