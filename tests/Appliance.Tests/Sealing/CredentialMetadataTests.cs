using System.Text;
using Appliance.Sealing;
using Appliance.Token;

namespace Appliance.Tests.Sealing;

public class CredentialMetadataTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("main")]
    [InlineData("trade_bot-2")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")] // 64
    public void Name_Accepted(string name)
    {
        Assert.True(CredentialName.IsValid(name));
        Assert.Equal(name, Samples.Metadata(name).Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Main")]
    [InlineData("-main")]
    [InlineData("_main")]
    [InlineData("ma in")]
    [InlineData("main.json")]
    [InlineData("../main")]
    [InlineData("main/x")]
    [InlineData("mäin")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234")] // 65
    public void Name_Refused(string name)
    {
        Assert.False(CredentialName.IsValid(name));
        var e = Assert.Throws<ArgumentException>(() => Samples.Metadata(name));
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void Scopes_AreTrimmedLowercasedDeduplicatedAndSorted()
    {
        var meta = Samples.Metadata(scopes: [" Trade", "view-assets", "trade", "DEPOSIT"]);
        Assert.Equal(["deposit", "trade", "view-assets"], meta.Scopes);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)meta.Scopes).Add("withdraw"));
    }

    [Theory]
    [InlineData("withdrawl")]
    [InlineData("")]
    [InlineData("trade,view-assets")]
    public void Scopes_UnknownAreRefused(string scope)
    {
        var e = Assert.Throws<ArgumentException>(() => Samples.Metadata(scopes: [scope]));
        Assert.Equal("scopes", e.ParamName);
        Assert.Contains("view-assets", e.Message); // lists the valid ones
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("quote\"")]
    [InlineData("한글")]
    public void AccessKey_Refused(string accessKey)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new CredentialMetadata("main", accessKey, ApprovalMode.None, [], Samples.Created, Samples.Created.AddDays(1)));
        Assert.Equal("accessKey", e.ParamName);
    }

    [Fact]
    public void Times_AreUtcWholeSeconds_AndExpiryMustFollowCreation()
    {
        var created = new DateTimeOffset(2026, 3, 1, 21, 0, 0, 500, TimeSpan.FromHours(9));
        var meta = new CredentialMetadata("main", "ak", ApprovalMode.None, [], created, created.AddDays(365));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), meta.Created);
        Assert.Equal(TimeSpan.Zero, meta.Created.Offset);
        Assert.True(meta.IsExpiredAt(meta.Expires));
        Assert.False(meta.IsExpiredAt(meta.Expires.AddSeconds(-1)));

        Assert.Throws<ArgumentException>(() => new CredentialMetadata("main", "ak", ApprovalMode.None, [], created, created));
        Assert.Throws<ArgumentException>(() => new CredentialMetadata("main", "ak", ApprovalMode.None, [], created, created.AddDays(-1)));
    }

    [Theory]
    [InlineData(ApprovalMode.None, KeySlot.Seal, "none")]
    [InlineData(ApprovalMode.Button, KeySlot.Seal, "button")]
    [InlineData(ApprovalMode.Touch, KeySlot.SealTouch, "touch")]
    public void Approval_ChoosesTheSlotAndWireName(ApprovalMode approval, KeySlot slot, string wire)
    {
        Assert.Equal(slot, Samples.Metadata(approval: approval).Slot);
        Assert.Equal(wire, approval.ToWire());
        Assert.Equal(approval, ApprovalModes.Parse(wire));
    }

    [Theory]
    [InlineData("Touch")]
    [InlineData("yes")]
    [InlineData("")]
    public void Approval_UnknownWireNameRefused(string wire)
    {
        Assert.False(ApprovalModes.TryParse(wire, out _));
        Assert.Throws<ArgumentException>(() => ApprovalModes.Parse(wire));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new CredentialMetadata("main", "ak", (ApprovalMode)7, [], Samples.Created, Samples.Created.AddDays(1)));
    }

    [Fact]
    public void AssociatedData_IsCanonical_IndependentOfScopeOrderAndOffset()
    {
        var a = Samples.Metadata(scopes: ["view-assets", "trade"]);
        var b = new CredentialMetadata("main", a.AccessKey, ApprovalMode.None, ["trade", "view-assets", "trade"],
            Samples.Created.ToOffset(TimeSpan.FromHours(9)), Samples.Created.AddYears(1));
        Assert.Equal(a, b);
        Assert.Equal(a.ToAssociatedData(), b.ToAssociatedData());
        Assert.StartsWith("{\"v\":1,\"name\":\"main\",", Encoding.UTF8.GetString(a.ToAssociatedData()));
        Assert.NotEqual(a.ToAssociatedData(), Samples.Metadata(approval: ApprovalMode.Button).ToAssociatedData());
    }
}
