using System.Security.Cryptography;
using System.Text;

namespace Appliance.StandIn;

/// <summary>
/// Checks the token's query_hash against the request's parameters (shared/upbit-api.md §2).
/// With parameters: query_hash is required, query_hash_alg must be "SHA512" or absent (the documented
/// default), and the hash must be the lowercase SHA-512 hex of the hash input.
/// Without parameters: Upbit's behaviour is undocumented, so absence is accepted and a present hash
/// is accepted only if it is the hash of the empty string.
/// </summary>
internal static class UpbitQueryHashCheck
{
    public static void Verify(VerifiedToken token, UpbitRequestParams request)
    {
        if (token.QueryHashAlg is not (null or "SHA512"))
        {
            throw Mismatch($"query_hash_alg '{token.QueryHashAlg}' is not SHA512");
        }

        if (request.HashInput is null)
        {
            if (token.QueryHash is not null && token.QueryHash != Sha512Hex(""))
            {
                throw Mismatch("request has no parameters but the token carries a query_hash of something else");
            }

            return;
        }

        if (token.QueryHash is null)
        {
            throw Mismatch("request has parameters but the token has no query_hash");
        }

        var expected = Sha512Hex(request.HashInput);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.UTF8.GetBytes(token.QueryHash)))
        {
            throw Mismatch($"query_hash is not SHA-512 of '{request.HashInput}' (lowercase hex expected)");
        }
    }

    internal static string Sha512Hex(string text) =>
        Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(text)));

    private static UpbitRejection Mismatch(string reason) =>
        UpbitRejection.Unauthorized(UpbitErrorNames.InvalidQueryPayload, reason);
}
