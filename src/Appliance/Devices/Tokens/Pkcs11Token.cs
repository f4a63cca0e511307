using System.Security.Cryptography;
using Appliance.Common;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Appliance.Token;
using ISession = Net.Pkcs11Interop.HighLevelAPI.ISession; // not ASP.NET Core's ISession (implicit using)

namespace Appliance.Devices.Tokens;

/// <summary>
/// A PKCS#11 token: a YubiKey through Yubico's ykcs11 (PIV), or SoftHSM2 in tests and CI. Keys are
/// found by CKA_ID = <see cref="KeySlot"/> value, so one code path serves both.
/// One instance per module per process: PKCS#11 login and C_Finalize are per process, so disposing one
/// instance would log out and finalize any other instance on the same module.
/// Once the token has been seen absent, this instance stays absent (its session and login are gone);
/// open a new one after the token is back.
/// </summary>
public sealed partial class Pkcs11Token : IHardwareToken
{
    // PKCS#11 sessions are not thread-safe: every call into the module happens under this lock.
    private readonly Lock _gate = new();
    private readonly IPkcs11Library _library;
    private readonly ISession _session;
    private readonly ulong _slotId;
    private volatile bool _present = true;
    private bool _disposed;

    private Pkcs11Token(IPkcs11Library library, Pkcs11TokenSelector.Candidate token, ISession session)
    {
        _library = library;
        _session = session;
        _slotId = token.Slot.SlotId;
        Serial = token.Serial;
        Label = token.Label;
    }

    /// <summary>The token's serial number as the module reports it (ykcs11: the YubiKey serial).</summary>
    public string Serial { get; }

    /// <summary>The token's label (ykcs11: "YubiKey PIV #serial").</summary>
    public string Label { get; }

    public bool IsSoftware => false;

    /// <summary>
    /// Loads the module, finds the token, opens a read/write session and logs in as user.
    /// Disposes <see cref="Pkcs11TokenOptions.Pin"/> once the login has been attempted. Never retries a wrong PIN.
    /// </summary>
    /// <exception cref="ArgumentException">The module file does not exist, or the PIN is empty.</exception>
    /// <exception cref="InvalidOperationException">No matching token, wrong or blocked PIN, or the module failed.</exception>
    public static Pkcs11Token Open(Pkcs11TokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            if (string.IsNullOrWhiteSpace(options.ModulePath))
                throw new ArgumentException("No PKCS#11 module given; pass --pkcs11-module PATH.", nameof(options));
            ArgumentNullException.ThrowIfNull(options.Pin, nameof(options));
            if (options.Pin.Length == 0) throw new ArgumentException("The PIN is empty; check the PIN file.", nameof(options));
            var library = LoadModule(Path.GetFullPath(options.ModulePath));
            ISession? session = null;
            try
            {
                var token = Pkcs11TokenSelector.Select(library, options.TokenLabel, options.TokenSerial);
                session = token.Slot.OpenSession(SessionType.ReadWrite);
                Login(session, token.Slot, options.Pin);
                return new Pkcs11Token(library, token, session);
            }
            catch (Pkcs11Exception e)
            {
                Close(session, library);
                throw new InvalidOperationException($"Opening the token failed ({e.RV}); check that it is plugged in (a YubiKey also needs pcscd: systemctl status pcscd) and try again.", e);
            }
            catch
            {
                Close(session, library);
                throw;
            }
        }
        finally
        {
            options.Pin?.Dispose(); // null only when the caller ignored the nullable annotation
        }
    }

    /// <summary>
    /// Cheap and never throws. ykcs11 has no C_WaitForSlotEvent, so this polls the list of slots with a
    /// token and looks for ours by slot and serial. While an operation holds the lock (a touch wait can
    /// block ~15 s) it answers the last observation instead of waiting: that operation fails by itself
    /// if the token goes away, and the next poll sees it.
    /// </summary>
    /// <summary>How long a presence check waits for a token operation in progress.</summary>
    public static readonly TimeSpan BusyWait = TimeSpan.FromMilliseconds(150);

    public bool IsPresent()
    {
        if (!_present) return false;
        // An ordinary operation (~70 ms on a YubiKey, e.g. a checkpoint signature) is waited out, so a
        // removal is not missed for a whole poll; only a long one (a touch wait) gets the last answer.
        if (!_gate.TryEnter(BusyWait)) return _present;
        try
        {
            if (_disposed) return false;
            var stillThere = _library.GetSlotList(SlotsType.WithTokenPresent)
                .Any(slot => slot.SlotId == _slotId && slot.GetTokenInfo().SerialNumber.Trim() == Serial);
            if (!stillThere) _present = false;
            return stillThere;
        }
        catch (Exception)
        {
            // Whatever went wrong, the module cannot reach our token now; the contract is "never throw".
            _present = false;
            return false;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Logs out, closes the session and finalizes the module.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _present = false;
            try { _session.Logout(); }
            catch (Pkcs11Exception) { /* already logged out or token gone: nothing to undo */ }
            Close(_session, _library);
        }
    }

    private static IPkcs11Library LoadModule(string modulePath)
    {
        if (!File.Exists(modulePath))
            throw new ArgumentException(
                $"PKCS#11 module not found at {modulePath}; install ykcs11 (apt-get install ykcs11) or softhsm2, or pass --pkcs11-module.");
        Pkcs11NativeLibraryResolver.EnsureInstalled();
        var factories = new Pkcs11InteropFactories();
        try
        {
            return factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, modulePath, AppType.MultiThreaded);
        }
        catch (Exception e) when (e is Pkcs11Exception or UnmanagedException or DllNotFoundException or BadImageFormatException)
        {
            throw new InvalidOperationException(
                $"Could not load the PKCS#11 module at {modulePath} ({e.Message}); check that it is a PKCS#11 module for this CPU.", e);
        }
    }

    private static void Login(ISession session, ISlot slot, SecretBytes pin)
    {
        // The one managed copy of the PIN: Pkcs11Interop's Login takes only a byte[], which it hands straight to
        // C_Login. Pinned (the GC leaves no stale copy) and zeroed as soon as the call returns.
        var pinBytes = GC.AllocateArray<byte>(pin.Length, pinned: true);
        try
        {
            pin.Span.CopyTo(pinBytes);
            session.Login(CKU.CKU_USER, pinBytes);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            throw new InvalidOperationException(
                "This process is already logged in to the token through another session; dispose the other Pkcs11Token first.", e);
        }
        catch (Pkcs11Exception e)
        {
            throw Pkcs11Errors.LoginFailed(e.RV, TryReadFlags(slot));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pinBytes);
        }
    }

    private static ITokenFlags? TryReadFlags(ISlot slot)
    {
        try { return slot.GetTokenInfo().TokenFlags; }
        catch (Pkcs11Exception) { return null; }
    }

    private static void Close(ISession? session, IPkcs11Library library)
    {
        // Either may fail once the token or the module state is gone (CKR_CRYPTOKI_NOT_INITIALIZED after
        // another instance finalized the module); there is nothing left to release then.
        try { session?.Dispose(); }
        catch (Pkcs11Exception) { }
        try { library.Dispose(); }
        catch (Pkcs11Exception) { }
    }
}
