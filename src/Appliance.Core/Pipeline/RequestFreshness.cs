using System.Text.RegularExpressions;
using Appliance.Common;

namespace Appliance.Pipeline;

/// <summary>Step 2, the replay half: a well-formed request_id and a client_time within the skew.</summary>
public static partial class RequestFreshness
{
    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex RequestIdPattern();

    public static void Check(SignCall call, DateTimeOffset now, TimeSpan skew)
    {
        if (!RequestIdPattern().IsMatch(call.RequestId))
            throw SignRefusal.Invalid(Reasons.BadRequestId,
                "request_id must be 1-128 characters of A-Z a-z 0-9 . _ : -; send a fresh UUID with each request.");
        if (call.ClientTime is not { } clientTime)
            throw SignRefusal.Invalid(Reasons.MissingClientTime,
                "client_time is missing; set it to the bot's current UTC time.");
        var off = (clientTime - now).Duration();
        if (off > skew)
            throw SignRefusal.Invalid(Reasons.ClockSkew,
                $"client_time is {off.TotalSeconds:0.0} s away from the appliance clock (allowed {skew.TotalSeconds:0.#} s); sync the bot's clock with NTP.");
    }
}
