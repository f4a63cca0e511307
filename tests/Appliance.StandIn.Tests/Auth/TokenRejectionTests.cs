using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.StandIn.Tests;

/// <summary>The stand-in refuses bad tokens with Upbit's 401 error names.</summary>
public sealed class TokenRejectionTests
{
    private static readonly UpbitJwtVectorCase Accounts = UpbitJwtVectors.Case("get-accounts-no-params");
    private static readonly UpbitJwtVectorCase OpenOrders = UpbitJwtVectors.Case("get-open-orders-array");

    [Theory]
    [InlineData("HS256")]
    [InlineData("HS512")]
    public async Task WrongSecretIsJwtVerification(string alg)
    {
        await using var server = await StartWith(UpbitJwtVectors.AccessKey, "not-the-secret");

        var response = await Send(server, OpenOrders, OpenOrders.Jwt(alg));

        AssertRejected(server, response, HttpStatusCode.Unauthorized, UpbitErrorNames.JwtVerification);
    }

    [Fact]
    public async Task UnknownAccessKeyIsInvalidAccessKey()
    {
        await using var server = await StartWith("someone-else", UpbitJwtVectors.SecretKey);

        var response = await Send(server, Accounts, Accounts.JwtHs512);

        AssertRejected(server, response, HttpStatusCode.Unauthorized, UpbitErrorNames.InvalidAccessKey);
    }

    [Fact]
    public async Task ReusedNonceIsNonceUsed()
    {
        await using var server = await StartWith(UpbitJwtVectors.AccessKey, UpbitJwtVectors.SecretKey);

        var first = await Send(server, Accounts, Accounts.JwtHs512);
        var replay = await Send(server, Accounts, Accounts.JwtHs512);
        var otherAlgSameNonce = await Send(server, OpenOrders, OpenOrders.JwtHs256);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(UpbitErrorNames.NonceUsed, replay.ErrorName);
        Assert.Equal(UpbitErrorNames.NonceUsed, otherAlgSameNonce.ErrorName);
        Assert.Single(server.Accepted);
        Assert.Equal(2, server.Rejected.Count);
    }

    [Fact]
    public async Task MissingHeaderIsNoAuthorizationToken()
    {
        await using var server = await StartWith(UpbitJwtVectors.AccessKey, UpbitJwtVectors.SecretKey);

        var response = await Send(server, OpenOrders, jwt: null);

        AssertRejected(server, response, HttpStatusCode.Unauthorized, UpbitErrorNames.NoAuthorizationToken);
    }

    [Fact]
    public async Task AlgNoneIsJwtVerification()
    {
        await using var server = await StartWith("k", "s");
        var unsigned = HandMadeJwt.B64("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8.ToArray()) + "."
            + HandMadeJwt.B64(Encoding.UTF8.GetBytes(NoParamsPayload())) + ".";

        var response = await StandInClient.SendAsync(server, "GET", "/v1/accounts", null, unsigned);

        AssertRejected(server, response, HttpStatusCode.Unauthorized, UpbitErrorNames.JwtVerification);
        Assert.Contains("alg", server.Rejected[0].Reason);
    }

    [Fact]
    public async Task HeaderSaysHs512ButSignatureIsHs256IsJwtVerification()
    {
        await using var server = await StartWith("k", "s");
        var payload = $"{{\"access_key\":\"k\",\"nonce\":\"{Guid.NewGuid()}\"}}";
        var mislabeled = HandMadeJwt.Build(HandMadeJwt.Header("HS512"), payload, "s", macAlg: "HS256");

        var response = await StandInClient.SendAsync(server, "GET", "/v1/accounts", null, mislabeled);

        AssertRejected(server, response, HttpStatusCode.Unauthorized, UpbitErrorNames.JwtVerification);
    }

    public static TheoryData<string, string> MalformedTokens() => new()
    {
        { "two parts", HandMadeJwt.B64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}"u8.ToArray()) + ".e30" },
        { "padded base64", PaddedToken() },
        { "typ not JWT", HandMadeJwt.Build("{\"alg\":\"HS512\",\"typ\":\"JWS\"}", NoParamsPayload(), "s") },
        { "nonce not a UUID", HandMadeJwt.Build(HandMadeJwt.Header("HS512"), "{\"access_key\":\"k\",\"nonce\":\"1700000000000\"}", "s") },
        { "nonce missing", HandMadeJwt.Build(HandMadeJwt.Header("HS512"), "{\"access_key\":\"k\"}", "s") },
        { "duplicate claim", HandMadeJwt.Build(HandMadeJwt.Header("HS512"), "{\"access_key\":\"k\",\"access_key\":\"k\",\"nonce\":\"" + Guid.NewGuid() + "\"}", "s") },
        { "payload not JSON", HandMadeJwt.Build(HandMadeJwt.Header("HS512"), "access_key=k", "s") },
    };

    [Theory]
    [MemberData(nameof(MalformedTokens))]
    public async Task MalformedTokenIsJwtVerification(string what, string jwt)
    {
        await using var server = await StartWith("k", "s");

        var response = await StandInClient.SendAsync(server, "GET", "/v1/accounts", null, jwt);

        Assert.True(response.ErrorName == UpbitErrorNames.JwtVerification, $"{what}: {response.Body}");
        Assert.Empty(server.Accepted);
    }

    [Fact]
    public async Task ValidTokenForSameRequestIsAcceptedSoTheMalformedCasesAreReallyMalformed()
    {
        await using var server = await StartWith("k", "s");

        var response = await StandInClient.SendAsync(
            server, "GET", "/v1/accounts", null, HandMadeJwt.Build(HandMadeJwt.Header("HS512"), NoParamsPayload(), "s"));

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
    }

    internal static async Task<StandInExchange> StartWith(string accessKey, string secret)
    {
        var server = await TestExchange.StartAsync();
        server.AddKey(accessKey, secret);
        return server;
    }

    internal static Task<StandInResponse> Send(StandInExchange server, UpbitJwtVectorCase vector, string? jwt) =>
        StandInClient.SendAsync(server, vector.Method, vector.Path, vector.UrlQuery, jwt, vector.BodyJson);

    internal static void AssertRejected(StandInExchange server, StandInResponse response, HttpStatusCode status, string errorName)
    {
        Assert.True(response.Status == status && response.ErrorName == errorName, $"expected {(int)status} {errorName}, got {(int)response.Status} {response.Body}");
        var rejected = Assert.Single(server.Rejected);
        Assert.Equal(errorName, rejected.ErrorName);
        Assert.Equal((int)status, rejected.StatusCode);
        Assert.Empty(server.Accepted);
    }

    private static string NoParamsPayload() => $"{{\"access_key\":\"k\",\"nonce\":\"{Guid.NewGuid()}\"}}";

    /// <summary>Correctly signed, but over a padded payload segment, so only base64url strictness can catch it.</summary>
    private static string PaddedToken()
    {
        var header = HandMadeJwt.B64(Encoding.UTF8.GetBytes(HandMadeJwt.Header("HS512")));
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(NoParamsPayload())).Replace('+', '-').Replace('/', '_');
        Assert.EndsWith("=", payload); // the payload length must need padding for this case to mean anything
        var signingInput = header + "." + payload;
        return signingInput + "." + HandMadeJwt.B64(HMACSHA512.HashData("s"u8, Encoding.ASCII.GetBytes(signingInput)));
    }
}
