using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Appliance.Config;
using Appliance.Tests.Support;

namespace Appliance.Tests.Config;

/// <summary>appliance.json holds what an operator can set, refuses what it does not know, and tolerates what older versions wrote.</summary>
public sealed class ConfigKeysTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string json)
    {
        var path = _dir.Sub("appliance.json");
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>The file `appliance init` / `demo` wrote at e403abb (before this change), unchanged.</summary>
    private static string OldFile() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestVectors", "appliance-json-e403abb.json"));

    [Fact]
    public void Saving_writes_only_keys_that_loading_reads()
    {
        var path = _dir.Sub("appliance.json");
        new ApplianceConfig().Save(path);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();

        var options = new JsonSerializerOptions(JsonSerializerOptions.Default);
        var written = new List<string>();
        AssertSettable(root, options.GetTypeInfo(typeof(ApplianceConfig)), options, "", written);

        Assert.Contains("rates", written);
        Assert.DoesNotContain(ConfigKeys.LegacyOrderRate, written);
        Assert.Contains("panel_options.hold_ms", written);
        Assert.Contains("rates.order_cancel_all_interval_seconds", written);
        foreach (var derived in ConfigKeys.Derived) Assert.DoesNotContain(derived, written);
        Assert.Empty(ApplianceConfig.Load(path).Warnings);
    }

    /// <summary>Every key in the file is one the deserializer sets (it has a setter), recursively.</summary>
    private static void AssertSettable(JsonObject node, JsonTypeInfo info, JsonSerializerOptions options, string prefix, List<string> written)
    {
        foreach (var (key, value) in node)
        {
            var fullKey = prefix.Length == 0 ? key : $"{prefix}.{key}";
            var property = Assert.Single(info.Properties, p => p.Name == key);
            Assert.True(property.Set is not null, $"'{fullKey}' is written but loading cannot set it: editing it would do nothing");
            written.Add(fullKey);
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (value is JsonObject child && options.GetTypeInfo(type).Kind == JsonTypeInfoKind.Object)
                AssertSettable(child, options.GetTypeInfo(type), options, fullKey, written);
        }
    }

    [Theory]
    [InlineData("""{ "listn": ["127.0.0.1:1"] }""", "'listn'", "at the top level")]
    [InlineData("""{ "panel_options": { "Hold_ms": 2000 } }""", "'panel_options.Hold_ms'", "hold_ms")]
    [InlineData("""{ "panel_options": { "leds": { "redy": 17 } } }""", "'panel_options.leds.redy'", "ready, activity, approval, alert")]
    [InlineData("""{ "rates": { "order_per_sec": 8 } }""", "'rates.order_per_sec'", "order_per_second")]
    [InlineData("""{ "alerts": { "BurstWindowSeconds": 60 } }""", "'alerts.BurstWindowSeconds'", "burst_window_seconds")]
    [InlineData("""{ "Hold": "00:00:02" }""", "'Hold'", "at the top level")] // a derived key, but not where it was written
    [InlineData("""{ "Warnings": [] }""", "'Warnings'", "at the top level")]
    public void An_unknown_key_is_refused_naming_the_key_and_the_file(string json, string key, string hint)
    {
        var path = Write(json);
        var e = Assert.Throws<InvalidDataException>(() => ApplianceConfig.Load(path));
        Assert.Contains($"unknown key {key}", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains(hint, e.Message);
    }

    [Fact]
    public void A_file_written_before_this_change_loads_with_one_warning_about_its_derived_keys()
    {
        var old = OldFile();
        foreach (var derived in ConfigKeys.Derived) Assert.Contains($"\"{derived.Split('.')[1]}\"", old); // the vector has them all
        var path = Write(old);

        var config = ApplianceConfig.Load(path);
        Assert.Equal(new ApplianceConfig().PanelOptions, config.PanelOptions);
        Assert.Equal(new ApplianceConfig().Alerts, config.Alerts);
        Assert.Equal(12, config.Rates.OrderPerSecond);
        Assert.Equal(2, config.Warnings.Count); // one for the derived keys, one for the moved order rate
        var derivedWarning = Assert.Single(config.Warnings, w => w.Contains("ignoring"));
        Assert.Contains(path, derivedWarning);
        foreach (var derived in ConfigKeys.Derived) Assert.Contains(derived, derivedWarning);
        Assert.Contains("delete them", derivedWarning);

        // Saved again, the file holds only what can be set, and loads without warnings.
        config.Save(path);
        Assert.Empty(ApplianceConfig.Load(path).Warnings);
        Assert.DoesNotContain("Hold", File.ReadAllText(path));
    }

    [Fact]
    public void Editing_a_derived_key_does_nothing_and_says_so()
    {
        var path = Write("""
            { "panel_options": { "hold_ms": 2500, "Hold": "00:00:09", "Debounce": "00:00:01" },
              "alerts": { "burst_window_seconds": 30, "BurstWindow": "01:00:00" } }
            """);
        var config = ApplianceConfig.Load(path);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), config.PanelOptions.Hold);
        Assert.Equal(TimeSpan.FromMilliseconds(30), config.PanelOptions.Debounce);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Alerts.BurstWindow);
        var warning = Assert.Single(config.Warnings);
        Assert.Contains("panel_options.Hold, panel_options.Debounce, alerts.BurstWindow", warning);
    }

    [Fact]
    public void The_old_order_rate_key_is_read_as_rates_order_per_second()
    {
        var config = ApplianceConfig.Load(Write("""{ "order_rate_per_second": 8 }"""));
        Assert.Equal(8, config.Rates.OrderPerSecond);
        Assert.Equal(8, config.ToUpbitRates().OrderPerSecond);
        Assert.Contains("'order_rate_per_second' is now 'rates.order_per_second'", Assert.Single(config.Warnings));

        Assert.Equal(8, ApplianceConfig.Load(Write("""{ "order_rate_per_second": 8, "rates": { "order_per_second": 8 } }""")).Rates.OrderPerSecond);
        var conflict = Assert.Throws<InvalidDataException>(() =>
            ApplianceConfig.Load(Write("""{ "order_rate_per_second": 8, "rates": { "order_per_second": 12 } }""")));
        Assert.Contains("disagree", conflict.Message);
        Assert.Throws<InvalidDataException>(() => ApplianceConfig.Load(Write("""{ "order_rate_per_second": "fast" }""")));
    }

    [Fact]
    public void Two_step_thresholds_load_by_currency_and_a_bad_one_names_the_fix()
    {
        var config = ApplianceConfig.Load(Write("""{ "approval": { "two_step": { "BTC": 0.5, "KRW": 5000000 } } }"""));
        config.Validate();
        Assert.Equal(0.5m, config.Approval.TwoStep!["BTC"]);
        Assert.Equal(5_000_000m, config.Approval.TwoStep["KRW"]);

        var lower = Assert.ThrowsAny<Exception>(() => ApplianceConfig.Load(Write("""{ "approval": { "two_step": { "btc": 0.5 } } }""")));
        Assert.Contains("upper-case code", lower.Message);
        Assert.Throws<InvalidDataException>(() => ApplianceConfig.Load(Write("""{ "approval": { "two_step": { "BTC": "half" } } }""")));
    }

    [Fact]
    public void Every_upbit_group_is_settable()
    {
        var defaults = new ApplianceConfig().ToUpbitRates();
        Assert.Equal((30, 12, 8, TimeSpan.FromSeconds(2)),
            (defaults.DefaultPerSecond, defaults.OrderPerSecond, defaults.OrderTestPerSecond, defaults.CancelAllInterval));

        var rates = ApplianceConfig.Load(Write("""
            { "rates": { "default_per_second": 300, "order_per_second": 120, "order_test_per_second": 80, "order_cancel_all_interval_seconds": 0.5 } }
            """)).ToUpbitRates();
        Assert.Equal((300, 120, 80, TimeSpan.FromSeconds(0.5)),
            (rates.DefaultPerSecond, rates.OrderPerSecond, rates.OrderTestPerSecond, rates.CancelAllInterval));
    }

    [Theory]
    [InlineData("default_per_second", "0")]
    [InlineData("order_per_second", "-1")]
    [InlineData("order_test_per_second", "1000001")]
    [InlineData("order_cancel_all_interval_seconds", "0")]
    [InlineData("order_cancel_all_interval_seconds", "3601")]
    public void A_rate_out_of_range_is_refused_by_its_key(string key, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => ApplianceConfig.Load(Write($$"""{ "rates": { "{{key}}": {{value}} } }""")));
        Assert.Contains($"'rates.{key}'", e.Message);
    }
}
