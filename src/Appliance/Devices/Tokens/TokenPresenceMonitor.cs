using System.Security.Cryptography;
using Appliance.Config;
using Appliance.Credentials;
using Appliance.Sealing;
using Appliance.Pipeline;
using Microsoft.Extensions.Logging;
using Appliance.Token;
using Appliance.Common;

namespace Appliance.Devices.Tokens;

/// <summary>
/// Presence = revocation. Polls the token (ykcs11 has no slot events); when it is gone, marks the
/// appliance locked (Sign answers KEY_ABSENT) and zeroes every unsealed secret. While locked it
/// tries to get the token back: with <c>reopen</c> (PKCS#11: an instance that saw its token go
/// stays absent, so a new one is opened), or by watching the same instance (demo software token).
/// A token that comes back is accepted only if it matches token.json; then the credentials are
/// unsealed again and signing resumes. Owns the current token instance and disposes it.
/// </summary>
public sealed class TokenPresenceMonitor : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CredentialVault _vault;
    private readonly ApplianceState _state;
    private readonly Func<IReadOnlyList<SealedCredential>> _credentials;
    private readonly TokenDescriptor? _pinned;
    private readonly Func<IHardwareToken>? _reopen;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;
    private IHardwareToken? _current;
    private Thread? _poller;
    private readonly ManualResetEventSlim _stop = new();
    private int _polling;
    private bool _locked;
    private bool _reopenBlocked;
    private string? _lastFailure;
    private bool _disposed;

    /// <param name="token">The token the vault was loaded with; from now on the monitor owns it.</param>
    /// <param name="credentials">Reads the sealed credentials again when the token comes back.</param>
    /// <param name="pinned">token.json; a returning token must match it. Null only in tests of the monitor alone.</param>
    /// <param name="reopen">Opens a new instance of the pinned token (and logs in); null: wait for the same instance.</param>
    public TokenPresenceMonitor(IHardwareToken token, CredentialVault vault, ApplianceState state,
        Func<IReadOnlyList<SealedCredential>> credentials, TokenDescriptor? pinned, Func<IHardwareToken>? reopen,
        TimeProvider time, ILogger<TokenPresenceMonitor> logger, TimeSpan? interval = null)
    {
        _current = token ?? throw new ArgumentNullException(nameof(token));
        _vault = vault;
        _state = state;
        _credentials = credentials;
        _pinned = pinned;
        _reopen = reopen;
        _time = time;
        _logger = logger;
        _interval = interval ?? new TokenPresenceOptions().PollInterval;
        if (_interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), "The poll interval must be positive.");
    }

    /// <summary>The token instance in use, or null while locked and waiting for a new instance.</summary>
    public IHardwareToken? Current
    {
        get { lock (_gate) return _current; }
    }

    /// <summary>True while the token is absent or refused; signing is refused with KEY_ABSENT.</summary>
    public bool IsLocked => Volatile.Read(ref _locked);

    /// <summary>Removal, return, refusal, failed reopen: for the audit log and the alert LED. Raised on the poll thread.</summary>
    public event Action<TokenPresenceEvent>? Changed;

    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // A thread of its own, not a pool timer: revocation must not wait behind a busy thread
            // pool (a loaded 2-core box delayed pool timers by several hundred ms).
            _poller ??= new Thread(PollLoop) { IsBackground = true, Name = "token-presence" };
            if (!_poller.IsAlive) _poller.Start();
        }
    }

    private void PollLoop()
    {
        while (!_stop.Wait(_interval)) Poll();
    }

    /// <summary>One poll; the poll thread calls it. Never throws, never runs twice at once (a slow poll skips ticks).</summary>
    public void Poll()
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1) return;
        try
        {
            if (Volatile.Read(ref _disposed)) return;
            if (!_locked) CheckStillPresent();
            else TryRestore();
        }
        catch (Exception e)
        {
            // The timer must survive anything; a fault while deciding is treated as "still locked".
            _logger.LogError(e, "Token presence poll failed");
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    /// <summary>
    /// Re-reads and re-unseals the credentials with the token in the port (after <c>credentials
    /// add|rotate|remove</c> in another process). Never runs beside a poll. False when locked or busy:
    /// try again later. Throws when a credential cannot be unsealed; the vault then keeps what it had.
    /// </summary>
    public bool TryReloadCredentials()
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1) return false;
        try
        {
            if (Volatile.Read(ref _disposed) || _locked || Current is not { } token) return false;
            _vault.Load(_credentials(), token);
            return true;
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    private void CheckStillPresent()
    {
        var token = Current;
        if (token is not null && token.IsPresent()) return;
        Revoke(token);
    }

    private void Revoke(IHardwareToken? token)
    {
        // Refuse first (new requests see KEY_ABSENT at once), then zero: ZeroAll waits for in-flight signatures.
        Volatile.Write(ref _locked, true);
        _state.TokenPresent = false;
        _vault.ZeroAll();
        var serial = token?.Serial;
        _logger.LogWarning("Token {Serial} removed: every unsealed secret zeroed, signing locked until the same key is plugged back in", serial);
        Raise(TokenPresenceChange.Removed, serial, "The hardware key was removed; every secret was zeroed and signing is locked.");
        if (_reopen is null || token is null) return;
        lock (_gate) _current = null;
        DisposeQuietly(token); // before any reopen: PKCS#11 login and C_Finalize are per process
    }

    private void TryRestore()
    {
        if (_reopenBlocked) return;
        IHardwareToken candidate;
        if (_reopen is null)
        {
            candidate = Current ?? throw new InvalidOperationException("No token instance to watch.");
            if (!candidate.IsPresent()) return;
        }
        else
        {
            try
            {
                candidate = _reopen();
            }
            catch (TokenLoginException e)
            {
                // Never try a PIN twice: a YubiKey blocks after three wrong ones.
                _reopenBlocked = true;
                Fail(TokenPresenceChange.ReopenFailed, null,
                    $"{e.Message} Signing stays locked and the PIN is not tried again; fix the PIN file and restart the appliance.");
                return;
            }
            catch (Exception e) when (IsExpectedOpenFailure(e))
            {
                // Usually "no matching token" while the key is out: quiet, logged once per distinct reason.
                RememberFailure(e.Message, LogLevel.Debug);
                return;
            }
        }

        if (!Accept(candidate)) return;
        lock (_gate)
        {
            if (_disposed)
            {
                if (_reopen is not null) DisposeQuietly(candidate);
                return;
            }
            _current = candidate;
        }
        _lastFailure = null;
        Volatile.Write(ref _locked, false);
        _state.TokenPresent = true;
        _logger.LogInformation("Token {Serial} is back and matches token.json; credentials unsealed, signing resumed", candidate.Serial);
        Raise(TokenPresenceChange.Restored, candidate.Serial, "The pinned hardware key is back; signing resumed.");
    }

    /// <summary>Verifies the returning token against token.json and unseals with it; disposes a fresh instance it refuses.</summary>
    private bool Accept(IHardwareToken candidate)
    {
        try
        {
            _pinned?.Verify(candidate);
        }
        catch (Exception e) when (IsExpectedOpenFailure(e))
        {
            Fail(TokenPresenceChange.Refused, candidate.Serial, $"Refused token {candidate.Serial}: {e.Message} Signing stays locked.");
            if (_reopen is not null) DisposeQuietly(candidate);
            return false;
        }
        try
        {
            _vault.Load(_credentials(), candidate);
            return true;
        }
        catch (Exception e) when (IsExpectedOpenFailure(e) || e is CryptographicException or IOException or InvalidDataException)
        {
            Fail(TokenPresenceChange.ReopenFailed, candidate.Serial,
                $"Token {candidate.Serial} is back but unsealing failed: {e.Message} Signing stays locked.");
            if (_reopen is not null) DisposeQuietly(candidate);
            return false;
        }
    }

    private void Fail(TokenPresenceChange change, string? serial, string message)
    {
        if (RememberFailure(message, LogLevel.Error)) Raise(change, serial, message);
    }

    /// <summary>Logs a failure the first time it is seen (polls repeat it every 250 ms); true when it is new.</summary>
    private bool RememberFailure(string message, LogLevel level)
    {
        if (message == _lastFailure) return false;
        _lastFailure = message;
        _logger.Log(level, "Token not restored: {Reason}", message);
        return true;
    }

    private static bool IsExpectedOpenFailure(Exception e) =>
        e is InvalidOperationException or ArgumentException or IOException or InvalidDataException or ObjectDisposedException;

    private void Raise(TokenPresenceChange change, string? serial, string message)
    {
        var handlers = Changed;
        if (handlers is null) return;
        var report = new TokenPresenceEvent(change, serial, message, _time.GetUtcNow());
        foreach (var handler in handlers.GetInvocationList().Cast<Action<TokenPresenceEvent>>())
        {
            try { handler(report); }
            catch (Exception e) { _logger.LogError(e, "A token presence subscriber failed"); }
        }
    }

    private void DisposeQuietly(IHardwareToken token)
    {
        try { token.Dispose(); }
        catch (Exception e) { _logger.LogWarning(e, "Closing the removed token failed"); }
    }

    public void Dispose()
    {
        IHardwareToken? token;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _stop.Set();
            token = _current;
            _current = null;
        }
        // Let a poll in progress finish before its token goes (never join from the poll thread itself).
        if (_poller is { IsAlive: true } poller && Thread.CurrentThread != poller) poller.Join(TimeSpan.FromSeconds(5));
        if (token is not null) DisposeQuietly(token);
    }
}
