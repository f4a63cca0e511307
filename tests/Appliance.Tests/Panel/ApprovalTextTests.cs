using Appliance.Panel;

namespace Appliance.Tests.Panel;

public sealed class ApprovalTextTests
{
    [Fact]
    public void Address_lines_are_numbered_groups_of_four_that_fit_a_16_column_lcd()
    {
        var lines = ApprovalText.AddressLines("0x71C7656EC7ab88b098defB751B7401B5f6d8976F");
        Assert.Equal(["1:0x71 C765 6EC7", "2:ab88 b098 defB", "3:751B 7401 B5f6", "4:d897 6F"], lines);
        Assert.All(lines, l => Assert.True(l.Length <= 16));
    }

    [Fact]
    public void Long_addresses_number_on_with_letters_and_absurd_ones_are_refused()
    {
        var lines = ApprovalText.AddressLines(new string('x', 12 * 10 + 1));
        Assert.Equal(11, lines.Count);
        Assert.StartsWith("9:", lines[8]);
        Assert.StartsWith("A:", lines[9]);
        Assert.Equal("B:x", lines[10]);
        Assert.Throws<ArgumentException>(() => ApprovalText.AddressLines(new string('x', 12 * 35 + 1)));
        Assert.Empty(ApprovalText.AddressLines(""));
    }

    [Fact]
    public void Lines_name_bot_operation_currency_network_and_amount()
    {
        Assert.Equal(["APPROVE? withdraw", "bot b1", "USDT on TRX", "amt 100", "1:TXYZ"],
            ApprovalText.Lines(new ApprovalPrompt("b1", "withdraw", "USDT", "TRX", "100", "TXYZ")));
        Assert.Equal(["APPROVE? cancel all", "bot b1"],
            ApprovalText.Lines(new ApprovalPrompt("b1", "cancel all", null, null, null, null)));
        Assert.Equal(["APPROVE? withdraw krw", "bot b1", "KRW", "amt 5000"],
            ApprovalText.Lines(new ApprovalPrompt("b1", "withdraw krw", "KRW", null, "5000", null)));
    }
}
