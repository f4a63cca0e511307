using System.Text.Json.Nodes;
using Appliance.Cli;
using Appliance.Config;
using Appliance.Provisioning;
using Appliance.Tests.Devices.Panels;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cli;

/// <summary><c>appliance serve</c> on an appliance.json that still carries old keys: it starts, and says so once.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServeConfigWarningTests : IDisposable
{
    private readonly TempDir _dir = new("serve-config");
    private readonly DataDir _data;

    public ServeConfigWarningTests()
    {
        _data = new DataDir(_dir.Sub("data"));
        DemoSetup.Ensure(_data, "127.0.0.1:0", TimeProvider.System, null);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Serve_warns_once_about_old_keys_and_runs()
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(_data.ConfigFile))!.AsObject();
        json["panel_options"]!["Hold"] = "00:00:09";
        json["panel_options"]!["PageInterval"] = "00:00:03";
        json["alerts"]!["BurstWindow"] = "00:01:00";
        await File.WriteAllTextAsync(_data.ConfigFile, json.ToJsonString());

        var outText = new StringWriter();
        var errText = new StringWriter();
        var output = TextWriter.Synchronized(outText);
        var error = TextWriter.Synchronized(errText);
        string Read(TextWriter writer, StringWriter text) { lock (writer) return text.ToString(); } // SyncTextWriter locks on itself
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var serve = new CliApp(new CliIo(TextReader.Null, output, error, InputIsTerminal: false), TimeProvider.System)
            .RunAsync(["serve", "--data-dir", _data.Root, "--panel", "none", "--listen", "127.0.0.1:0"], stop.Token);
        await Eventually.HoldsAsync(() => Read(output, outText).Contains("listening on") || serve.IsCompleted, "the server to listen", TimeSpan.FromSeconds(20));
        Assert.False(serve.IsCompleted, Read(error, errText));

        var warnings = Read(error, errText).Split('\n').Where(l => l.StartsWith("warning:", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains($"{_data.ConfigFile}: ignoring panel_options.Hold, panel_options.PageInterval, alerts.BurstWindow", warning);

        await stop.CancelAsync();
        Assert.Equal(0, await serve);
    }

    [Fact]
    public async Task Serve_refuses_an_unknown_key_by_name()
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(_data.ConfigFile))!.AsObject();
        json["rates"]!["order_per_sec"] = 8;
        await File.WriteAllTextAsync(_data.ConfigFile, json.ToJsonString());

        var (code, _, error) = await CliHarness.Run(null, "serve", "--data-dir", _data.Root, "--panel", "none", "--listen", "127.0.0.1:0");
        Assert.Equal(1, code);
        Assert.Contains($"error: {_data.ConfigFile}: unknown key 'rates.order_per_sec'", error);
    }
}
