using System.Net.Sockets;
using System.Text;
using Appliance.Panel;
using Appliance.Pipeline;
using Appliance.Tests.Support;
using Appliance.Devices.Panels;
using Appliance.Common;

namespace Appliance.Tests.Devices.Panels;

/// <summary>The test panel over a real unix socket (unix-only, like the product feature).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SocketPanelTests : IDisposable
{
    private readonly TempDir _dir = new("panel");
    private string SocketPath => _dir.Sub("panel.sock");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_socket_is_owner_only()
    {
        using var panel = SocketPanel.Start(SocketPath, TimeProvider.System);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
        Assert.Single(Directory.GetFileSystemEntries(_dir.Path)); // no temporary name left behind
    }

    [Fact]
    public async Task Press_and_hold_commands_deliver_button_events_before_answering_ok()
    {
        using var panel = SocketPanel.Start(SocketPath, TimeProvider.System);
        var events = new List<ButtonEvent>();
        panel.ButtonPressed += e => { lock (events) events.Add(e); };
        await using var client = await PanelSocketClient.ConnectAsync(SocketPath);
        await client.PressApproveAsync();
        lock (events) Assert.Equal([new ButtonEvent(PanelButton.Approve, PressKind.Press)], events);
        await client.PressRejectAsync();
        await client.HoldApproveAsync();
        Assert.Equal("ok", await client.SendAsync("  PRESS   Approve \r"));
        lock (events)
            Assert.Equal([
                new ButtonEvent(PanelButton.Approve, PressKind.Press), new ButtonEvent(PanelButton.Reject, PressKind.Press),
                new ButtonEvent(PanelButton.Approve, PressKind.Hold), new ButtonEvent(PanelButton.Approve, PressKind.Press)], events);
    }

    [Fact]
    public async Task State_answers_one_json_line_with_led_modes_pulses_and_display_text()
    {
        using var panel = SocketPanel.Start(SocketPath, TimeProvider.System);
        var state = new ApplianceState();
        using var controller = new PanelController(panel, state);
        await using var client = await PanelSocketClient.ConnectAsync(SocketPath);

        var ready = await client.StateAsync();
        Assert.Equal("on", ready.Led(Led.Ready));
        Assert.Equal("off", ready.Led(Led.Alert));
        Assert.Equal("off", ready.Led(Led.Approval));
        Assert.Equal(["READY"], ready.Display);

        controller.ShowApproval(new ApprovalPrompt("b1", "withdraw", "BTC", "BTC", "1", "bc1qabcdefgh"));
        controller.OnSigned();
        controller.OnSigned();
        var raw = await client.SendAsync("state");
        Assert.StartsWith("{", raw);
        Assert.Contains("\"approval\":\"blink\"", raw);
        var waiting = PanelSnapshot.Parse(raw);
        Assert.Equal(2, waiting.ActivityPulses);
        Assert.Equal(["APPROVE? withdraw", "bot b1", "BTC", "amt 1", "1:bc1q abcd efgh"], waiting.Display);

        using var pause = new Appliance.Admin.PauseControl(state, panel);
        await client.HoldApproveAsync(); // long press: pause
        var paused = await client.StateAsync();
        Assert.True(state.Paused);
        Assert.Equal("off", paused.Led(Led.Ready));
        Assert.Equal("on", paused.Led(Led.Alert));
    }

    [Theory]
    [InlineData("press")]
    [InlineData("press maybe")]
    [InlineData("hold reject")]
    [InlineData("")]
    [InlineData("state please")]
    public async Task A_bad_command_gets_an_error_line_and_the_connection_stays_usable(string command)
    {
        using var panel = SocketPanel.Start(SocketPath, TimeProvider.System);
        var events = 0;
        panel.ButtonPressed += _ => Interlocked.Increment(ref events);
        await using var client = await PanelSocketClient.ConnectAsync(SocketPath);
        var answer = await client.SendAsync(command);
        Assert.StartsWith("error unknown command", answer);
        Assert.Equal(0, events);
        Assert.Equal("ok", await client.SendAsync("press approve"));
    }

    [Fact]
    public async Task An_overlong_line_is_refused_and_the_connection_closed()
    {
        using var panel = SocketPanel.Start(SocketPath, TimeProvider.System);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await socket.SendAsync(Encoding.UTF8.GetBytes(new string('x', 10_000)));
        var buffer = new byte[200];
        var received = new StringBuilder();
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0) received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        Assert.Equal($"error line longer than {SocketPanel.MaxLineLength} bytes\n", received.ToString());
    }

    [Fact]
    public async Task Several_clients_can_talk_to_the_panel_at_once()
    {
        using var panel = SocketPanel.Start(SocketPath, TimeProvider.System);
        var events = 0;
        panel.ButtonPressed += _ => Interlocked.Increment(ref events);
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PanelSocketClient.ConnectAsync(SocketPath)));
        await Task.WhenAll(clients.Select(c => c.PressApproveAsync()));
        Assert.Equal(4, events);
        foreach (var c in clients) await c.DisposeAsync();
    }

    [Fact]
    public void A_stale_socket_from_a_crash_is_replaced_but_a_live_one_is_not()
    {
        // A socket file nobody listens on, as a killed process leaves it. (.NET unlinks the path a
        // socket was bound to when it is disposed, so bind elsewhere and move the file.)
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(_dir.Sub("dead.sock")));
            File.Move(_dir.Sub("dead.sock"), SocketPath);
        }
        Assert.True(File.Exists(SocketPath));
        using var panel = SocketPanel.Start(SocketPath, TimeProvider.System);

        var e = Assert.Throws<InvalidOperationException>(() => SocketPanel.Start(SocketPath, TimeProvider.System));
        Assert.Contains("Another process", e.Message);
    }

    [Fact]
    public async Task Dispose_removes_the_socket_and_disconnects_clients()
    {
        var panel = SocketPanel.Start(SocketPath, TimeProvider.System);
        await using var client = await PanelSocketClient.ConnectAsync(SocketPath);
        panel.Dispose();
        Assert.False(File.Exists(SocketPath));
        await Assert.ThrowsAnyAsync<Exception>(() => client.SendAsync("state"));
        await Assert.ThrowsAsync<SocketException>(() => PanelSocketClient.ConnectAsync(SocketPath));
    }
}
