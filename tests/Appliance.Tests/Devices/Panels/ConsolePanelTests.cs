using Appliance.Panel;
using Appliance.Pipeline;
using Appliance.Devices.Panels;
using Appliance.Common;
using Appliance.Tests.Support;

namespace Appliance.Tests.Devices.Panels;

public sealed class ConsolePanelTests
{
    [Fact]
    public void Prints_one_led_line_per_change_and_nothing_for_signature_flashes()
    {
        var output = new StringWriter();
        using var panel = new ConsolePanel(output, TimeProvider.System);
        var state = new ApplianceState();
        using var controller = new PanelController(panel, state);
        var ready = output.ToString();
        Assert.Contains("[panel] ready ● green", ready);
        Assert.Contains("alert ○ red", ready);
        Assert.Contains("[display] READY", ready);

        for (var i = 0; i < 100; i++) controller.OnSigned();
        Assert.Equal(ready, output.ToString());
        Assert.Equal(100, panel.Snapshot().ActivityPulses);

        state.Paused = true;
        var paused = output.ToString()[ready.Length..];
        Assert.Contains("ready ○ green", paused);
        Assert.Contains("alert ● red", paused);
        Assert.Contains("[display] PAUSED", paused);
        Thread.Sleep(100); // past the console's 30 ms settling time
        Assert.Single(output.ToString()[ready.Length..].Split('\n'), l => l.StartsWith("[panel]")); // no half-changed line
    }

    [Fact]
    public async Task Led_changes_without_new_text_are_printed_once_they_settle()
    {
        var written = new StringWriter();
        var output = TextWriter.Synchronized(written);
        using var panel = new ConsolePanel(output, TimeProvider.System);
        panel.SetLed(Led.Alert, true);
        panel.BlinkLed(Led.Approval);
        await Eventually.HoldsAsync(() => { lock (output) return written.ToString().Contains("[panel]"); }, "the LED line");
        await Task.Delay(100);
        lock (output)
            Assert.Equal("[panel] ready ○ green | activity ○ | approval ◐ blinking amber | alert ● red", written.ToString().Trim());
    }

    [Fact]
    public void Shows_the_approval_as_a_block_with_the_keys_when_there_is_a_keyboard()
    {
        var output = new StringWriter();
        using var panel = new ConsolePanel(output, TimeProvider.System, new ReaderKeys(new StringReader("")));
        using var controller = new PanelController(panel, new ApplianceState());
        controller.ShowApproval(new ApprovalPrompt("b1", "withdraw", "BTC", "BTC", "0.1", "bc1qxyz"));
        var text = output.ToString();
        Assert.Contains("approval ◐ blinking amber", text);
        Assert.Contains("[display] APPROVE? withdraw\n          bot b1\n          BTC\n          amt 0.1\n          1:bc1q xyz\n", text.Replace("\r\n", "\n"));
        Assert.Contains("keys: a approve, r reject", text);
        controller.ShowApproval(new ApprovalPrompt("b1", "withdraw", "BTC", "BTC", "0.1", "bc1qxyz")); // same text: not printed again
        Assert.Equal(text, output.ToString());
    }

    [Fact]
    public async Task Keys_a_r_and_h_are_approve_reject_and_hold_and_others_are_ignored()
    {
        var written = new StringWriter();
        var output = TextWriter.Synchronized(written);
        var keys = new BlockingKeys();
        using var panel = new ConsolePanel(output, TimeProvider.System, keys);
        var events = new List<ButtonEvent>();
        panel.ButtonPressed += e => { lock (events) events.Add(e); };
        foreach (var key in "axRh?") keys.Type(key);
        await Eventually.HoldsAsync(() => { lock (events) return events.Count == 3; }, "three key events");
        keys.End();
        lock (events)
            Assert.Equal([new(PanelButton.Approve, PressKind.Press), new(PanelButton.Reject, PressKind.Press), new ButtonEvent(PanelButton.Approve, PressKind.Hold)], events);
        lock (output) Assert.Contains("[key] approve hold", written.ToString());
    }

    /// <summary>A keyboard the test types on; <see cref="Next"/> blocks like Console.ReadKey.</summary>
    private sealed class BlockingKeys : IKeySource
    {
        private readonly System.Collections.Concurrent.BlockingCollection<char> _keys = [];
        public void Type(char c) => _keys.Add(c);
        public void End() => _keys.CompleteAdding();
        public char? Next() => _keys.TryTake(out var c, Timeout.Infinite) ? c : null;
    }
}
