using Appliance.Common;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Upbit;

namespace Appliance.Tests.Common;

/// <summary>Bot, credential and pocket names follow one rule: they become file names.</summary>
public sealed class SafeNamesTests
{
    [Theory]
    [InlineData("trader", true)]
    [InlineData("0bot_a-1", true)]
    [InlineData("-lead", false)]
    [InlineData("_lead", false)]
    [InlineData("Upper", false)]
    [InlineData("dot.name", false)]
    [InlineData("../up", false)]
    [InlineData("a/b", false)]
    [InlineData("trader\n", false)] // a regex "$" would let this one through
    [InlineData("", false)]
    [InlineData(null, false)]
    public void One_rule_for_every_kind_of_name(string? name, bool valid)
    {
        Assert.Equal(valid, SafeNames.IsValid(name));
        Assert.Equal(valid, BotNames.IsValid(name));
        Assert.Equal(valid, CredentialName.IsValid(name));
        Assert.Equal(valid, Pockets.IsValid(name));
    }

    [Fact]
    public void At_most_64_characters()
    {
        Assert.True(SafeNames.IsValid(new string('a', 64)));
        Assert.False(BotNames.IsValid(new string('a', 65)));
    }
}
