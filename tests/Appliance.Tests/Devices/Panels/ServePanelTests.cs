using Appliance.Cli;
using Appliance.Client;
using Appliance.Config;
using Appliance.Panel;
using Appliance.Provisioning;
using Appliance.Tests.Support;
using Appliance.Devices.Panels;
using Appliance.Tests.Provisioning;

namespace Appliance.Tests.Devices.Panels;

/// <summary><c>appliance serve --panel …</c> through the real command line, on a demo data dir.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServePanelTests : IDisposable
{
    private readonly TempDir _dir = new("serve-panel");
    private readonly DataDir _data;
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();
    private readonly TextWriter _syncOut;
    private readonly TextWriter _syncErr;

    public ServePanelTests()
    {
        _data = new DataDir(_dir.Sub("data"));
        DemoSetup.Ensure(_data, "127.0.0.1:0", TimeProvider.System, null);
        _syncOut = TextWriter.Synchronized(_out);
        _syncErr = TextWriter.Synchronized(_err);
    }

    public void Dispose() => _dir.Dispose();

    private string Read(StringWriter writer)
    {
        lock (writer == _out ? _syncOut : _syncErr) return writer.ToString(); // SyncTextWriter locks on itself
    }

    private Task<int> Run(CancellationToken cancellationToken, params string[] args) =>
        new CliApp(new CliIo(TextReader.Null, _syncOut, _syncErr, InputIsTerminal: false), TimeProvider.System).RunAsync(args, cancellationToken);

    private void MakeProduction()
    {
        var config = ApplianceConfig.Load(_data.ConfigFile);
        (config with { Demo = false }).Save(_data.ConfigFile);
    }

    [Fact]
    public async Task Serve_refuses_the_socket_panel_for_a_data_dir_not_made_by_demo()
    {
        MakeProduction();
        var code = await Run(CancellationToken.None, "serve", "--data-dir", _data.Root, "--panel", "socket");
        Assert.Equal(2, code);
        Assert.Contains("--insecure-test-panel", Read(_err));
        Assert.False(File.Exists(_data.PanelSocket));
    }

    [Fact]
    public void The_check_allows_socket_only_for_demo_or_with_the_flag()
    {
        var production = new ApplianceConfig { Demo = false };
        Assert.Throws<ArgumentException>(() => PanelFactory.EnsureAllowed("socket", production, insecureTestPanel: false));
        PanelFactory.EnsureAllowed("socket", production, insecureTestPanel: true);
        PanelFactory.EnsureAllowed("socket", production with { Demo = true }, insecureTestPanel: false);
        foreach (var other in new[] { "gpio", "console", "none" })
            PanelFactory.EnsureAllowed(other, production, insecureTestPanel: false);
    }

    [Theory]
    [InlineData(null, false, "gpio", "gpio")]
    [InlineData(null, true, "gpio", "console")]
    [InlineData("Socket", false, "gpio", "socket")]
    [InlineData("none", true, "gpio", "none")]
    public void The_panel_comes_from_the_flag_else_appliance_json(string? flag, bool demo, string configured, string expected) =>
        Assert.Equal(expected, PanelFactory.Resolve(flag, new ApplianceConfig { Demo = demo, Panel = configured }));

    [Fact]
    public async Task An_unknown_panel_is_refused()
    {
        var code = await Run(CancellationToken.None, "serve", "--data-dir", _data.Root, "--panel", "leds");
        Assert.Equal(2, code);
        Assert.Contains("gpio, console, socket, none", Read(_err));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Serve_with_the_socket_panel_shows_the_state_and_takes_button_presses(bool production)
    {
        if (production) MakeProduction();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var exchange = await Appliance.Tests.FakeUpbit.FakeUpbitServer.StartAsync();
        var args = new List<string> { "serve", "--data-dir", _data.Root, "--panel", "socket", "--listen", "127.0.0.1:0",
            "--upbit-url", exchange.BaseAddress.ToString(), "--insecure-test-upstream" };
        if (production) args.Add("--insecure-test-panel");
        var serve = Run(stop.Token, [.. args]);
        await Eventually.HoldsAsync(() => File.Exists(_data.PanelSocket) && Read(_out).Contains("listening on") || serve.IsCompleted,
            "the server to listen", TimeSpan.FromSeconds(20));
        Assert.False(serve.IsCompleted, Read(_err));

        await using (var client = await PanelSocketClient.ConnectAsync(_data.PanelSocket))
        {
            var state = await client.StateAsync();
            Assert.Equal("on", state.Led(Led.Ready));
            Assert.Equal("off", state.Led(Led.Alert));
            Assert.Equal(["READY"], state.Display);
            Assert.Equal(0, state.ActivityPulses);

            // A real request over mTLS, sent on to the exchange, flashes the activity LED once.
            var address = System.Text.RegularExpressions.Regex.Match(Read(_out), @"listening on (https://127\.0\.0\.1:\d+)").Groups[1].Value;
            using (var bot = new ApplianceClient(ApplianceBundle.Load(Path.Combine(_data.Root, "bundles", DemoSetup.BotName)), TimeProvider.System, new Uri(address)))
                await bot.SendAsync("GET", "/v1/accounts", []);
            Assert.Equal(1, (await client.StateAsync()).ActivityPulses);

            await client.HoldApproveAsync(); // long press pauses signing
            var paused = await client.StateAsync();
            Assert.Equal("on", paused.Led(Led.Alert));
            Assert.Equal(["PAUSED", "hold to resume"], paused.Display);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await serve);
        Assert.False(File.Exists(_data.PanelSocket));
    }
}
