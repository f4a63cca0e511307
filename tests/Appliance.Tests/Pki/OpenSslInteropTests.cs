using System.Diagnostics;
using System.Net;
using Appliance.Pki;

namespace Appliance.Tests.Pki;

/// <summary>
/// Node and Python gRPC clients verify with OpenSSL/BoringSSL, which are stricter than .NET
/// (AKI, key usage, SAN types). `openssl verify -x509_strict` stands in for them here; the test
/// does nothing on a machine without the openssl binary.
/// </summary>
public class OpenSslInteropTests
{
    private const string OpenSsl = "/usr/bin/openssl";

    [Fact]
    public void OpenSslStrict_AcceptsTheServerCertificateForLoopbackNamesAndTheBotForClientAuth()
    {
        if (!File.Exists(OpenSsl)) return;
        using var dir = new TempDir();
        using var ca = ApplianceCa.Create("Interop CA", TimeProvider.System);
        ca.Save(dir.Combine("ca"));
        using var server = ca.IssueServerCertificate(["appliance.local"], [IPAddress.Parse("192.0.2.7")]);
        using var bot = ca.IssueBotCertificate("interop-bot");
        PemFiles.WriteCertificate(dir.Combine("server.pem"), server);
        PemFiles.WriteCertificate(dir.Combine("bot.pem"), bot);
        var caPem = dir.Combine("ca", "ca.pem");

        var serverPem = dir.Combine("server.pem");
        var botPem = dir.Combine("bot.pem");
        foreach (var (flag, name) in new[] { ("-verify_ip", "127.0.0.1"), ("-verify_ip", "::1"), ("-verify_ip", "192.0.2.7"), ("-verify_hostname", "localhost"), ("-verify_hostname", "appliance.local") })
            AssertVerify(true, "-purpose", "sslserver", flag, name, "-CAfile", caPem, serverPem);
        AssertVerify(true, "-purpose", "sslclient", "-CAfile", caPem, botPem);

        // And it would catch a mistake: wrong name, wrong purpose.
        AssertVerify(false, "-purpose", "sslserver", "-verify_ip", "10.9.9.9", "-CAfile", caPem, serverPem);
        AssertVerify(false, "-purpose", "sslserver", "-CAfile", caPem, botPem);
    }

    private static void AssertVerify(bool expectOk, params string[] arguments)
    {
        var info = new ProcessStartInfo(OpenSsl, ["verify", "-x509_strict", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(10_000), "openssl hung");
        Assert.True(expectOk == (process.ExitCode == 0), $"openssl verify {string.Join(' ', arguments)}\n{output}");
    }
}
