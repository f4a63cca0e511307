using System.Net.Sockets;
using Appliance.Admin;
using Appliance.Cli;
using Appliance.Common;
using Appliance.Config;
using Appliance.Panel;
using Appliance.Provisioning;
using Appliance.Server;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;
using Appliance.Token;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Appliance.Devices.Tokens;
using Appliance.Tests.Approval;

namespace Appliance.Tests.Admin;

/// <summary>Pause and resume through the real admin socket, the CLI commands, and a long press.</summary>
public sealed class PauseTests : IAsyncLifetime
{
    private readonly TestPanel _panel = new();
    private TestAppliance _appliance = null!;

    public async ValueTask InitializeAsync() =>
        _appliance = await TestAppliance.StartAsync(configure: s => s with { Panel = _panel });

    public async ValueTask DisposeAsync()
    {
        await _appliance.DisposeAsync();
        _panel.Dispose();
    }

    private async Task<(int Code, string Out, string Error)> Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await new CliApp(new CliIo(TextReader.Null, output, error, false), TimeProvider.System)
            .RunAsync([.. args, "--data-dir", _appliance.Data.Root]);
        return (code, output.ToString(), error.ToString());
    }

    private async Task AssertSigns()
    {
        using var client = _appliance.Client();
        await client.SendAsync("GET", "/v1/accounts", []);
    }

    private async Task AssertPaused()
    {
        using var client = _appliance.Client();
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.Paused, () => client.SendAsync("GET", "/v1/accounts", []));
    }

    [Fact]
    public async Task Status_shows_the_audit_logs_disk_use()
    {
        var reply = await AdminClient.SendAsync(_appliance.Data.AdminSocket, "status", CancellationToken.None);
        Assert.NotNull(reply.Audit);
        Assert.True(reply.Audit.Bytes > 0);
        Assert.Equal(1, reply.Audit.FirstSeq);
        Assert.InRange(reply.Audit.DiskUsedPercent, 0.1, 100);

        var (code, output, _) = await Cli("status");
        Assert.Equal(0, code);
        Assert.Matches(@"audit: [0-9.]+ MiB in 1 segment\(s\) from record 1; disk [0-9.]+ % used, [0-9.]+ [MG]iB free; growth not measured yet", output);
    }

    [Fact]
    public async Task Pause_and_resume_through_the_cli_and_admin_socket()
    {
        await AssertSigns();
        Assert.Equal(("on", "off"), (_panel.LedState(Led.Ready), _panel.LedState(Led.Alert)));

        var pause = await Cli("pause");
        Assert.True(pause.Code == 0, pause.Error);
        Assert.Contains("state: paused", pause.Out);
        Assert.True(_appliance.Server.State.Paused);
        await AssertPaused();
        Assert.Equal(("off", "on"), (_panel.LedState(Led.Ready), _panel.LedState(Led.Alert)));

        var status = await Cli("status");
        Assert.Equal(0, status.Code);
        Assert.Contains("state: paused; key present; approvals waiting: 0", status.Out);

        var resume = await Cli("resume");
        Assert.True(resume.Code == 0, resume.Error);
        Assert.Contains("state: ready", resume.Out);
        await AssertSigns();
        Assert.Equal(("on", "off"), (_panel.LedState(Led.Ready), _panel.LedState(Led.Alert)));
    }

    [Fact]
    public async Task Long_press_toggles_pause()
    {
        await _panel.Hold();
        await _panel.WaitForText(t => t.SequenceEqual(PanelController.IdleLines(ApplianceStateKind.Paused)));
        await AssertPaused();
        Assert.Equal("on", _panel.LedState(Led.Alert));
        Assert.True((await AdminClient.SendAsync(_appliance.Data.AdminSocket, "status", CancellationToken.None)).Paused);

        await _panel.Hold();
        await _panel.WaitForText(t => t.SequenceEqual(PanelController.IdleLines(ApplianceStateKind.Ready)));
        await AssertSigns();
    }

    [Fact]
    public async Task Short_press_and_reject_hold_do_not_pause()
    {
        await _panel.Press(PanelButton.Approve);
        await _panel.Hold(PanelButton.Reject);
        await Task.Delay(50);
        Assert.False(_appliance.Server.State.Paused);
        await AssertSigns();
    }

    [Fact]
    public async Task Admin_socket_is_private_and_answers_one_json_line_per_command()
    {
        Pki.PkiAssert.UnixMode(_appliance.Data.AdminSocket, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_appliance.Data.AdminSocket));
        Assert.Equal(PeerCredentials.OwnUid, PeerCredentials.PeerUid(socket)); // SO_PEERCRED read as the server reads it
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        await using var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\n" };

        await writer.WriteLineAsync("status");
        var status = AdminReply.Parse((await reader.ReadLineAsync())!);
        Assert.True(status.Ok);
        Assert.Equal("ready", status.State);

        await writer.WriteLineAsync("pause now please");
        var bad = AdminReply.Parse((await reader.ReadLineAsync())!);
        Assert.False(bad.Ok);
        Assert.Contains("send pause, resume, status or policy-reload", bad.Error);
        Assert.False(_appliance.Server.State.Paused);
    }

    [Fact]
    public async Task Second_server_on_the_same_data_dir_is_refused_and_a_stale_socket_is_replaced()
    {
        var config = ApplianceConfig.Load(_appliance.Data.ConfigFile);
        var setup = new ServerSetup(_appliance.Data, config, TokenOpener.Open(_appliance.Data, null))
        {
            Listen = ["127.0.0.1:0"],
            Logging = l => l.AddFilter(_ => false),
        };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ApplianceServer.StartAsync(setup, CancellationToken.None));
        // Refused by the audit log's writer lock, before it wrote a byte to the running server's log.
        Assert.Contains("is already open for writing by process", e.Message);
        Assert.Single(Appliance.Audit.AuditReader.ReadAll(_appliance.Data.AuditDir), r => r.Entry.Kind == Appliance.Audit.AuditKind.Start);
        Assert.True((await AdminClient.SendAsync(_appliance.Data.AdminSocket, "status", CancellationToken.None)).Ok);
    }
}

/// <summary>The CLI side when no server runs, and a leftover socket file.</summary>
public sealed class AdminSocketStartTests
{
    [Fact]
    public async Task Socket_goes_away_with_the_server_and_the_cli_says_how_to_start_one()
    {
        using var dir = new TempDir();
        var data = new DataDir(dir.Sub("data"));
        DemoSetup.Ensure(data, "127.0.0.1:0", TimeProvider.System, null);
        var server = await ApplianceServer.StartAsync(new ServerSetup(data, ApplianceConfig.Load(data.ConfigFile), TokenOpener.Open(data, null))
        {
            Logging = l => l.AddFilter(_ => false),
        }, CancellationToken.None);
        Assert.True(File.Exists(data.AdminSocket));
        await server.DisposeAsync();
        Assert.False(File.Exists(data.AdminSocket));

        var error = new StringWriter();
        var code = await new CliApp(new CliIo(TextReader.Null, TextWriter.Null, error, false), TimeProvider.System)
            .RunAsync(["pause", "--data-dir", data.Root]);
        Assert.Equal(1, code);
        Assert.Contains("start it with 'appliance serve'", error.ToString());
    }

    [Fact]
    public async Task Leftover_socket_from_a_crashed_server_is_replaced()
    {
        await using var appliance = await TestAppliance.StartAsync(prepare: data =>
        {
            // A socket file nobody listens on, as a killed server leaves it.
            using var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            dead.Bind(new UnixDomainSocketEndPoint(data.AdminSocket));
        });
        var reply = await AdminClient.SendAsync(appliance.Data.AdminSocket, "pause", CancellationToken.None);
        Assert.True(reply.Paused);
        Assert.True(appliance.Server.State.Paused);
    }
}
