using System.Security.Cryptography;
using Appliance.Common;
using Microsoft.Extensions.Logging;

namespace Appliance.Credentials;

/// <summary>
/// Lets <c>credentials add|rotate|remove</c> reach a running server without a restart: polls the
/// credentials directory and, when it changed, has the vault re-unsealed with the token in the port.
/// A change that cannot be applied (a credential sealed to another key) is logged once and the
/// vault keeps what it had; it is tried again on the next change.
/// </summary>
public sealed class CredentialReloader : IDisposable
{
    private readonly string _directory;
    private readonly Func<bool> _reload;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private string _applied;
    private string? _failed;

    /// <param name="reload">Re-unseals the vault; false when it cannot now (key absent, poll busy): retried next tick.</param>
    public CredentialReloader(string directory, Func<bool> reload, TimeProvider time, ILogger logger, TimeSpan interval)
    {
        _directory = directory;
        _reload = reload;
        _logger = logger;
        _applied = DirectoryFingerprint.Of(directory, "*" + Sealing.CredentialStore.FileSuffix);
        _timer = time.CreateTimer(_ => Check(), null, interval, interval);
    }

    public void Check()
    {
        lock (_lock)
        {
            var now = DirectoryFingerprint.Of(_directory, "*" + Sealing.CredentialStore.FileSuffix);
            if (now == _applied || now == _failed) return;
            try
            {
                if (!_reload()) return;
                _applied = now;
                _failed = null;
                _logger.LogInformation("Credentials changed on disk; reloaded and unsealed");
            }
            catch (Exception e) when (e is InvalidOperationException or CryptographicException or FormatException or IOException)
            {
                _failed = now;
                _logger.LogError("Credentials changed on disk but were not reloaded (the running set is kept): {Error}", e.Message);
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
