namespace Appliance.Tests;

public class SmokeTests
{
    [Fact]
    public void Builds() => Assert.Equal(0, Program.Main([]));
}
