using Appliance.Panel;
using Appliance.Devices.Panels.Display;
using Appliance.Pipeline;
using Appliance.Common;
using Appliance.Tests.Support;

namespace Appliance.Tests.Devices.Panels;

public sealed class GpioPanelDisplayTests
{
    private const string Address = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"; // 42 characters: four chunk lines
    private static readonly ApprovalPrompt Withdrawal = new("trader-7", "withdraw coin", "BTC", "BTC", "0.125", Address);
    private static readonly string[] AddressLines = ["1:bc1q w508 d6qe", "2:jxtd g4y5 r3za", "3:rvar y0c5 xw7k", "4:v8f3 t4"];

    private static PanelRig LcdRig() => new(display: i2c => new Hd44780TextDisplay(i2c));

    private static IReadOnlyList<string> Lcd(PanelRig rig) => Hd44780Decoder.Replay(rig.I2c.Writes).Rows;

    [Fact]
    public async Task Lcd_behind_a_pcf8574_shows_the_state_in_4_bit_mode_with_the_backlight_on()
    {
        using var rig = LcdRig();
        using var controller = new PanelController(rig.Panel, new ApplianceState());
        await Eventually.HoldsAsync(() => Lcd(rig)[0] == "READY".PadRight(16), "READY on the LCD");
        var lcd = Hd44780Decoder.Replay(rig.I2c.Writes);
        Assert.True(lcd.FourBitMode);
        Assert.True(lcd.TwoLines);
        Assert.True(lcd.DisplayOn);
        Assert.True(lcd.Backlight);
        Assert.Equal(new string(' ', 16), lcd.Row(1));
    }

    [Fact]
    public async Task Lcd_cycles_the_approval_two_rows_at_a_time_and_every_address_chunk_appears()
    {
        using var rig = LcdRig();
        using var controller = new PanelController(rig.Panel, new ApplianceState());
        controller.ShowApproval(Withdrawal);
        var expected = ApprovalText.Lines(Withdrawal);
        Assert.Equal(["APPROVE? withdra", "w coin", "bot trader-7", "BTC", "amt 0.125", .. AddressLines],
            DisplayPager.Paginate(expected, 2, 16).SelectMany(p => p));

        var pages = rig.Panel.Display!.Pages;
        Assert.Equal(5, pages.Count);
        var seen = new List<string>();
        for (var page = 0; page < pages.Count; page++)
        {
            var rows = pages[page].Select(r => r.PadRight(16)).ToList();
            await Eventually.HoldsAsync(() => Lcd(rig).SequenceEqual(rows.Concat(Enumerable.Repeat(new string(' ', 16), 2)).Take(2)),
                $"page {page + 1} on the LCD: {string.Join(" | ", rows)}");
            seen.AddRange(Lcd(rig).Select(r => r.TrimEnd()));
            rig.FakeTime.Advance(rig.Options.PageInterval);
        }
        Assert.All(AddressLines, line => Assert.Contains(line, seen));
        Assert.Equal(Address, string.Concat(seen.Where(l => l.Length > 2 && l[1] == ':').Select(l => l[2..].Replace(" ", ""))));

        // The cycle starts over.
        await Eventually.HoldsAsync(() => Lcd(rig)[0].TrimEnd() == "APPROVE? withdra", "back to the first page");
    }

    [Fact]
    public async Task Lcd_returns_to_the_state_after_the_approval_and_stops_cycling()
    {
        using var rig = LcdRig();
        using var controller = new PanelController(rig.Panel, new ApplianceState());
        controller.ShowApproval(Withdrawal);
        await Eventually.HoldsAsync(() => Lcd(rig)[0].StartsWith("APPROVE?"), "approval shown");
        controller.EndApproval();
        await Eventually.HoldsAsync(() => Lcd(rig)[0].TrimEnd() == "READY", "READY again");
        // The pager counts the draw after the last I2C write: wait until drawing has settled, however loaded the machine.
        var drawn = await Settled(() => rig.Panel.Display!.Drawn);
        rig.FakeTime.Advance(rig.Options.PageInterval * 3);
        Assert.Equal(drawn, await Settled(() => rig.Panel.Display!.Drawn));
    }

    [Fact]
    public async Task Oled_128x64_is_set_to_64_rows_and_shows_the_whole_approval_on_one_screen()
    {
        using var rig = new PanelRig(display: i2c => new Ssd1306TextDisplay(i2c, 64), displayAddress: 0x3C);
        using var controller = new PanelController(rig.Panel, new ApplianceState());
        var prompt = Withdrawal with { Operation = "withdraw" };
        controller.ShowApproval(prompt);
        var expected = ApprovalText.Lines(prompt);
        Assert.Equal("APPROVE? withdraw", expected[0]);
        await Eventually.HoldsAsync(() => Ssd1306Decoder.Replay(rig.I2c.Writes).TextRows().SequenceEqual(expected),
            "approval text decoded from the OLED's pixels");
        var oled = Ssd1306Decoder.Replay(rig.I2c.Writes);
        Assert.Equal(63, oled.MultiplexRatio);
        Assert.True(oled.AlternativeComPins);
        Assert.True(oled.DisplayOn);
        Assert.Single(rig.Panel.Display!.Pages);
        Assert.Equal(8, expected.Count);
        Assert.Contains("4:v8f3 t4", oled.TextRows());
    }

    [Fact]
    public async Task Oled_128x32_shows_four_rows_per_screen_and_cycles()
    {
        using var rig = new PanelRig(display: i2c => new Ssd1306TextDisplay(i2c, 32), displayAddress: 0x3C);
        rig.Panel.ShowText(ApprovalText.Lines(Withdrawal));
        var pages = DisplayPager.Paginate(ApprovalText.Lines(Withdrawal), rows: 4, columns: 21);
        Assert.Equal(["APPROVE? withdraw coi", "n", "bot trader-7", "BTC"], pages[0]);
        Assert.Equal(3, pages.Count);
        foreach (var page in pages)
        {
            await Eventually.HoldsAsync(() => Ssd1306Decoder.Replay(rig.I2c.Writes).TextRows().SequenceEqual(page.Concat(Enumerable.Repeat("", 4)).Take(4)),
                $"screen: {string.Join(" | ", page)}");
            rig.FakeTime.Advance(rig.Options.PageInterval);
        }
        Assert.Equal(31, Ssd1306Decoder.Replay(rig.I2c.Writes).MultiplexRatio);
    }

    [Fact]
    public async Task A_display_that_stops_answering_does_not_stop_the_leds_or_the_buttons()
    {
        using var rig = LcdRig();
        using var controller = new PanelController(rig.Panel, new ApplianceState());
        await Eventually.HoldsAsync(() => rig.Panel.Display!.Drawn >= 1, "first draw");
        rig.I2c.Unplugged = true;
        controller.ShowApproval(Withdrawal);
        Assert.True(rig.LedLit(Led.Approval));
        rig.FakeTime.Advance(rig.Options.PageInterval);
        await Task.Delay(50);
        rig.I2c.Unplugged = false;
        controller.EndApproval();
        await Eventually.HoldsAsync(() => Lcd(rig)[0].TrimEnd() == "READY", "READY after the display came back");
        Assert.False(rig.LedLit(Led.Approval));
    }

    [Fact]
    public void Characters_the_lcd_lacks_become_question_marks()
    {
        Assert.Equal("a?b?c           ", TextCells.Fit("a\\b→c", 16, TextCells.Hd44780Printable));
        Assert.Equal("abcd", TextCells.Fit("abcdef", 4, TextCells.AsciiPrintable));
    }

    /// <summary>The value once it has not changed for 500 ms (the draw thread may lag on a loaded machine).</summary>
    private static async Task<int> Settled(Func<int> read)
    {
        var value = read();
        for (var quiet = 0; quiet < 10; quiet++)
        {
            await Task.Delay(50);
            var now = read();
            if (now != value) (value, quiet) = (now, -1);
        }
        return value;
    }
}
