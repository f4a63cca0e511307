using System.Security.Cryptography.X509Certificates;

namespace Appliance.Tests.Pki;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A fresh directory under the temp folder, deleted on Dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pki-tests-" + Guid.NewGuid().ToString("N"));

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class PkiAssert
{
    public static T Extension<T>(X509Certificate2 certificate) where T : X509Extension =>
        Assert.Single(certificate.Extensions.OfType<T>());

    public static void UnixMode(string path, UnixFileMode expected)
    {
        if (OperatingSystem.IsWindows()) return;
        Assert.Equal(expected, File.GetUnixFileMode(path));
    }

    public const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
}
