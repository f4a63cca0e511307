using System.Text;
using Appliance.Common;
using Appliance.Config;
using Appliance.Credentials;
using Appliance.Sealing;
using Appliance.Pipeline;
using Appliance.Token;
using Microsoft.Extensions.Logging.Abstractions;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Devices.Tokens;

/// <summary>The monitor on its own, one poll at a time (no timer): the demo's software token, which comes back as the same instance.</summary>
public sealed class TokenPresenceMonitorTests : IDisposable
{
    private readonly SoftwareToken _token = SoftwareToken.Create();
    private readonly CredentialVault _vault = new(TimeProvider.System);
    private readonly ApplianceState _state = new();
    private readonly List<SealedCredential> _sealed = [];
    private readonly TokenPresenceMonitor _monitor;

    public TokenPresenceMonitorTests()
    {
        var meta = new CredentialMetadata("main", "AK", ApprovalMode.None, ["trade"], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(30));
        _sealed.Add(CredentialSealer.Seal(meta, _token.GetPublicKey(KeySlot.Seal), Encoding.ASCII.GetBytes("secret-value")));
        _vault.Load(_sealed, _token);
        _monitor = new TokenPresenceMonitor(_token, _vault, _state, () => _sealed, TokenDescriptor.Pin(_token, TokenDescriptor.SoftwareKind),
            reopen: null, TimeProvider.System, NullLogger<TokenPresenceMonitor>.Instance);
    }

    public void Dispose()
    {
        _monitor.Dispose();
        _vault.Dispose();
    }

    [Fact]
    public void A_present_token_changes_nothing()
    {
        _monitor.Poll();
        Assert.True(_state.TokenPresent);
        Assert.True(_vault.HasSecrets);
        Assert.False(_monitor.IsLocked);
    }

    [Fact]
    public void Unplug_locks_and_zeroes_and_the_same_instance_coming_back_unlocks()
    {
        var held = _vault.SecretsForTests();
        var events = new List<TokenPresenceChange>();
        _monitor.Changed += e => events.Add(e.Change);

        _token.Unplug();
        _monitor.Poll();
        Assert.False(_state.TokenPresent);
        Assert.True(_monitor.IsLocked);
        Assert.All(held, s => Assert.True(s.IsDisposed && s.ZeroedOnDispose));
        Assert.Same(_token, _monitor.Current); // no reopen: the monitor keeps watching this instance

        _monitor.Poll(); // still out: nothing new
        _token.Plug();
        _monitor.Poll();
        Assert.True(_state.TokenPresent);
        Assert.True(_vault.HasSecrets);
        Assert.Equal(12, _vault.UseSecret("main", (_, secret) => secret.Length));
        Assert.Equal([TokenPresenceChange.Removed, TokenPresenceChange.Restored], events);
    }

    [Fact]
    public void A_failing_subscriber_does_not_stop_the_revocation()
    {
        _monitor.Changed += _ => throw new InvalidOperationException("LED driver broke");
        var seen = 0;
        _monitor.Changed += _ => seen++;
        _token.Unplug();
        _monitor.Poll();
        Assert.False(_state.TokenPresent);
        Assert.False(_vault.HasSecrets);
        Assert.Equal(1, seen);
    }

    [Fact]
    public void Disposing_the_monitor_disposes_the_token_it_owns()
    {
        _monitor.Dispose();
        Assert.False(_token.IsPresent());
        Assert.Null(_monitor.Current);
        _monitor.Poll(); // after dispose: a no-op, never throws
    }

    [Fact]
    public void Bad_interval_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenPresenceMonitor(_token, _vault, _state, () => _sealed, null, null,
            TimeProvider.System, NullLogger<TokenPresenceMonitor>.Instance, TimeSpan.Zero));
    }
}
