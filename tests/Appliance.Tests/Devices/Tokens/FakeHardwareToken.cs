using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Devices.Tokens;

/// <summary>
/// A YubiKey on a USB port, as far as the appliance can tell: keys (a SoftwareToken underneath), a
/// plug, a PIN counter state and a touch sensor. Sessions are <see cref="FakeHardwareToken"/>s opened
/// with <see cref="Open"/>, which fails like Pkcs11Token.Open does when the key is out or its PIN is blocked.
/// </summary>
public sealed class FakeYubiKey : IDisposable
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _pendingTouch;
    private volatile bool _plugged = true;
    private int _opens;

    public FakeYubiKey() => Keys = SoftwareToken.Create();

    /// <summary>The key material; tests save it as the demo's software-token.json so token.json can pin it.</summary>
    public SoftwareToken Keys { get; }

    public string Serial => Keys.Serial;

    /// <summary>A YubiKey PIV P-256 operation takes about 70 ms.</summary>
    public TimeSpan OperationDelay { get; set; } = TimeSpan.FromMilliseconds(70);

    /// <summary>How long the touch-always slot waits for a touch before failing like "not logged in" (~15 s on a YubiKey).</summary>
    public TimeSpan TouchTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Three wrong PINs were entered somewhere: login fails until the PUK unblocks it.</summary>
    public bool PinLocked { get; set; }

    /// <summary>Makes the next touch-slot operation fail at once with a device error (a flaky key).</summary>
    public bool FailNextTouchOperation { get; set; }

    public bool IsPlugged => _plugged;

    public int Opens => Volatile.Read(ref _opens);

    /// <summary>Raised (on the waiting thread) when an operation starts waiting for a touch.</summary>
    public event Action? TouchRequested;

    public FakeHardwareToken Open()
    {
        Interlocked.Increment(ref _opens);
        if (!_plugged)
            throw new InvalidOperationException("Expected a token with serial \"" + Serial + "\"; tokens seen: none (is the token plugged in, and pcscd running for a YubiKey?).");
        if (PinLocked)
            throw new TokenLoginException("The PIN is blocked. On a YubiKey unblock it with the PUK: yubico-piv-tool -a unblock-pin.");
        return new FakeHardwareToken(this);
    }

    /// <summary>Pulls the key out: sessions die, a pending touch wait (ECDH or signing) fails with a device error at once.</summary>
    public void Unplug()
    {
        _plugged = false;
        lock (_gate) _pendingTouch?.TrySetException(DeviceRemoved("ECDH", KeySlot.SealTouch));
    }

    public void Replug() => _plugged = true;

    /// <summary>A finger on the key: releases the operation waiting for a touch, if any (a touch nobody waits for does nothing).</summary>
    public bool Touch()
    {
        lock (_gate) return _pendingTouch?.TrySetResult() ?? false;
    }

    internal void WaitForTouch(string operation, KeySlot slot)
    {
        if (FailNextTouchOperation)
        {
            FailNextTouchOperation = false;
            throw new InvalidOperationException($"{operation} with PIV slot {slot.PivName()} (CKA_ID {(byte)slot}) failed (CKR_DEVICE_ERROR).");
        }
        var touch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _pendingTouch = touch;
        try
        {
            TouchRequested?.Invoke();
            bool touched;
            try { touched = touch.Task.Wait(TouchTimeout); }
            catch (AggregateException e) { throw e.InnerException!; }
            if (!touched)
                // What ykcs11 answers when the touch never came: indistinguishable from a lost login.
                throw new InvalidOperationException(
                    $"{operation} with PIV slot {slot.PivName()} (CKA_ID {(byte)slot}) failed (CKR_USER_NOT_LOGGED_IN). If this slot requires a touch, " +
                    "the YubiKey waited for one that did not come; otherwise the token may have been removed or logged out: reopen it.");
        }
        finally
        {
            lock (_gate) _pendingTouch = null;
        }
    }

    internal static InvalidOperationException DeviceRemoved(string operation, KeySlot slot) =>
        new($"{operation} with PIV slot {slot.PivName()} (CKA_ID {(byte)slot}) failed: the token was removed (CKR_DEVICE_REMOVED); reinsert it and reopen.");

    public void Dispose() => Keys.Dispose();
}

/// <summary>
/// One logged-in session on a <see cref="FakeYubiKey"/>, behaving like Pkcs11Token over ykcs11: operations
/// take <see cref="FakeYubiKey.OperationDelay"/> under one lock; the touch-always slots (the touch seal ECDH, the policy key signing) block for a touch;
/// once the key was seen gone this session stays dead (open a new one after the re-plug).
/// </summary>
public sealed class FakeHardwareToken : IHardwareToken
{
    private readonly FakeYubiKey _device;
    private readonly Lock _gate = new();
    private volatile bool _dead;
    private bool _disposed;

    internal FakeHardwareToken(FakeYubiKey device) => _device = device;

    public string Serial => _device.Serial;

    public bool IsSoftware => false;

    public bool IsPresent()
    {
        if (_dead) return false;
        // Like Pkcs11Token: wait out an ordinary operation; a touch wait gets the last observation.
        if (!_gate.TryEnter(Pkcs11Token.BusyWait)) return true;
        try
        {
            if (_disposed || !_device.IsPlugged) _dead = true;
            return !_dead;
        }
        finally { _gate.Exit(); }
    }

    public byte[] GetPublicKey(KeySlot slot) => Operate("Reading the public key", slot, TimeSpan.Zero, () => _device.Keys.GetPublicKey(slot));

    public byte[] DeriveSharedSecret(KeySlot slot, ReadOnlySpan<byte> peerPublicPoint)
    {
        var peer = peerPublicPoint.ToArray();
        return Operate("ECDH", slot, _device.OperationDelay, () =>
        {
            if (slot.NeedsTouch()) _device.WaitForTouch("ECDH", slot);
            return _device.Keys.DeriveSharedSecret(slot, peer);
        });
    }

    public byte[] SignDigest(KeySlot slot, ReadOnlySpan<byte> sha256Digest)
    {
        var digest = sha256Digest.ToArray();
        return Operate("Signing", slot, _device.OperationDelay, () =>
        {
            // The policy slot has touch policy "always", like the touch seal slot.
            if (slot.NeedsTouch()) _device.WaitForTouch("Signing", slot);
            return _device.Keys.SignDigest(slot, digest);
        });
    }

    private byte[] Operate(string operation, KeySlot slot, TimeSpan delay, Func<byte[]> action)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_dead || !_device.IsPlugged) { _dead = true; throw FakeYubiKey.DeviceRemoved(operation, slot); }
            if (delay > TimeSpan.Zero) Thread.Sleep(delay);
            var result = action();
            if (!_device.IsPlugged)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(result);
                _dead = true;
                throw FakeYubiKey.DeviceRemoved(operation, slot);
            }
            return result;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _dead = true;
        }
    }
}
