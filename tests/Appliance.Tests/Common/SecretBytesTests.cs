using System.Globalization;
using System.Runtime.CompilerServices;
using Appliance.Common;

namespace Appliance.Tests.Common;

/// <summary>
/// Secrets sit in pages of their own, locked in RAM and left out of core dumps, as the kernel
/// itself reports them in /proc/self/smaps; they are zeroed when disposed, and a leaked one is
/// still zeroed and freed by the finalizer.
/// </summary>
public sealed class SecretBytesTests
{
    private static readonly int Page = Environment.SystemPageSize;

    [Fact]
    public void Each_secret_starts_on_a_page_of_its_own()
    {
        using var a = SecretBytes.CopyFrom("first"u8);
        using var b = SecretBytes.CopyFrom("second"u8);
        using var large = SecretBytes.CopyFrom(new byte[Page + 1]);

        Assert.Equal(0, a.AddressForTests % Page);
        Assert.Equal(0, b.AddressForTests % Page);
        Assert.Equal(0, large.AddressForTests % Page);
        Assert.True(Math.Abs(a.AddressForTests - b.AddressForTests) >= Page, "two secrets share a page");
        Assert.Equal("first"u8.ToArray(), a.Span.ToArray());
        Assert.Equal(5, a.Length);
    }

    [Fact]
    public void The_pages_are_locked_and_left_out_of_core_dumps()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("mlock and MADV_DONTDUMP are Linux calls; elsewhere secrets are only zeroed.");
        using var secret = SecretBytes.CopyFrom("locked-secret"u8);
        SkipWhenTheKernelMayNotLock(secret);

        Assert.True(secret.IsLocked);
        Assert.True(secret.IsExcludedFromDumps);
        var mapping = Smaps.Containing(secret.AddressForTests);
        Assert.Contains("lo", mapping.Flags); // VM_LOCKED
        Assert.Contains("dd", mapping.Flags); // VM_DONTDUMP
        Assert.True(mapping.LockedKb >= Page / 1024, $"Locked: {mapping.LockedKb} kB");

        var large = SecretBytes.CopyFrom(new byte[2 * Page + 1]);
        var spans = Smaps.Covering(large.AddressForTests, 3 * Page);
        Assert.All(spans, m => Assert.Contains("lo", m.Flags));
        large.Dispose();
    }

    [Fact]
    public void Dispose_zeroes_the_pages_and_refuses_further_use()
    {
        var source = "zero-me"u8.ToArray();
        var secret = SecretBytes.TakeFrom(source);
        Assert.All(source, b => Assert.Equal(0, b)); // TakeFrom zeroes the caller's copy
        Assert.Equal("zero-me"u8.ToArray(), secret.Span.ToArray());

        secret.Dispose();
        secret.Dispose(); // twice is harmless

        Assert.True(secret.IsDisposed);
        Assert.True(secret.ZeroedOnDispose);
        Assert.False(secret.IsLocked);
        Assert.Throws<ObjectDisposedException>(() => secret.Span.Length);
        Assert.Equal("SecretBytes(redacted)", secret.ToString());
    }

    [Fact]
    public async Task A_leaked_secret_is_zeroed_and_freed_by_the_finalizer()
    {
        var released = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Leak(zeroed => released.TrySetResult(zeroed));
        for (var i = 0; i < 10 && !released.Task.IsCompleted; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.True(released.Task.IsCompleted, "the leaked secret's pages were not released");
        Assert.True(await released.Task, "the leaked secret's pages were not zeroed before they were freed");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Leak(Action<bool> onReleased)
    {
        var secret = SecretBytes.CopyFrom("leaked"u8);
        secret.ReleasedForTests = onReleased;
    }

    [Fact]
    public void An_empty_secret_still_gets_a_page_and_an_empty_span()
    {
        using var empty = SecretBytes.CopyFrom([]);
        Assert.Equal(0, empty.Length);
        Assert.True(empty.Span.IsEmpty);
        Assert.Equal(0, empty.AddressForTests % Page);
    }

    /// <summary>Only a kernel limit may excuse an unlocked page, and the test says which.</summary>
    private static void SkipWhenTheKernelMayNotLock(SecretBytes secret)
    {
        if (secret.IsLocked) return;
        var limit = LockedMemory.MemlockLimit();
        if (!LockedMemory.HasIpcLockCapability() && limit < (ulong)Page)
            Assert.Skip($"RLIMIT_MEMLOCK is {limit} bytes here and the process lacks CAP_IPC_LOCK, so no page can be locked (errno {secret.LockErrno}).");
        Assert.Fail($"mlock failed (errno {secret.LockErrno}) although RLIMIT_MEMLOCK is {limit} bytes.");
    }

    /// <summary>The kernel's own view of a mapping: its VmFlags and how much of it is locked.</summary>
    private sealed record Smaps(long Start, long End, string[] Flags, long LockedKb)
    {
        public static Smaps Containing(nint address) => Covering(address, 1).Single();

        public static List<Smaps> Covering(nint address, int length)
        {
            var all = Read();
            var found = all.Where(m => m.Start < address + length && address < m.End).ToList();
            Assert.NotEmpty(found);
            return found;
        }

        private static List<Smaps> Read()
        {
            var maps = new List<Smaps>();
            long start = 0, end = 0, locked = 0;
            foreach (var line in File.ReadLines("/proc/self/smaps"))
            {
                var dash = line.IndexOf('-');
                if (dash > 0 && line.Length > dash + 1 && char.IsAsciiHexDigit(line[0]) && line.IndexOf(' ') > dash)
                {
                    start = long.Parse(line[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    end = long.Parse(line[(dash + 1)..line.IndexOf(' ')], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    locked = 0;
                }
                else if (line.StartsWith("Locked:", StringComparison.Ordinal))
                {
                    locked = long.Parse(line["Locked:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("VmFlags:", StringComparison.Ordinal))
                {
                    maps.Add(new Smaps(start, end, line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries), locked));
                }
            }
            return maps;
        }
    }
}
