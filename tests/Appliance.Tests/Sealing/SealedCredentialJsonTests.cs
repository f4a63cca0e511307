using System.Text.Json.Nodes;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Sealing;

public sealed class SealedCredentialJsonTests : IDisposable
{
    private readonly SoftwareToken _token = SoftwareToken.Create();

    public void Dispose() => _token.Dispose();

    private JsonObject ValidEnvelope() =>
        JsonNode.Parse(CredentialSealer.Seal(Samples.Metadata(), _token.GetPublicKey(KeySlot.Seal), Samples.Secret).ToJson())!.AsObject();

    [Fact]
    public void ToJson_HasTheDocumentedFieldsInOrder()
    {
        var names = ValidEnvelope().Select(p => p.Key).ToArray();
        Assert.Equal(["v", "name", "access_key", "approval", "scopes", "created", "expires", "slot",
            "token_public_key", "epk", "nonce", "ciphertext", "tag"], names);
    }

    public static TheoryData<string, string?, string> BadFields() => new()
    {
        // field, new JSON value (null: remove the field), expected text in the message
        { "v", "4", "'v'" },
        { "recovery", "{}", "'recovery'" },
        { "policy", "[]", "'policy'" },
        { "v", "\"1\"", "'v'" },
        { "name", null, "'name'" },
        { "name", "\"Bad Name\"", "'name'" },
        { "access_key", "\"\"", "'access_key'" },
        { "approval", "\"always\"", "'approval'" },
        { "scopes", "\"trade\"", "'scopes'" },
        { "scopes", "[1]", "'scopes'" },
        { "scopes", "[\"fly\"]", "'scopes'" },
        { "created", "\"2026-03-01\"", "'created'" },
        { "expires", "\"2020-01-01T00:00:00Z\"", "'expires'" },
        { "slot", "\"audit\"", "'slot'" },
        { "token_public_key", "\"AAAA\"", "'token_public_key'" },
        { "epk", "\"not base64!\"", "'epk'" },
        { "nonce", "\"AAAAAAAAAAAAAAAAAAAA\"", "'nonce'" }, // 15 bytes
        { "ciphertext", "\"\"", "'ciphertext'" },
        { "tag", null, "'tag'" },
        { "extra", "true", "unknown field 'extra'" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void FromJson_NamesTheBadField(string field, string? value, string expected)
    {
        var node = ValidEnvelope();
        if (value is null) node.Remove(field);
        else node[field] = JsonNode.Parse(value);

        var e = Assert.Throws<FormatException>(() => SealedCredential.FromJson(node.ToJsonString()));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    public void FromJson_RefusesNonObjects(string json) =>
        Assert.Throws<FormatException>(() => SealedCredential.FromJson(json));

    [Fact]
    public void FromJson_RefusesDuplicateFields()
    {
        var json = ValidEnvelope().ToJsonString();
        var duplicated = json.Insert(1, "\"access_key\":\"Attacker0000\",");
        var e = Assert.Throws<FormatException>(() => SealedCredential.FromJson(duplicated));
        Assert.Contains("'access_key' twice", e.Message);
    }

    [Fact]
    public void ToString_NamesTheCredentialButNoKeyMaterial()
    {
        var envelope = SealedCredential.FromJson(ValidEnvelope().ToJsonString());
        var text = envelope.ToString();
        Assert.Contains("main", text);
        Assert.DoesNotContain(Convert.ToBase64String(envelope.Ciphertext.Span), text);
    }
}
