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
            throw Refusals.BadRequestId();
        if (call.ClientTime is not { } clientTime)
            throw Refusals.MissingClientTime();
        var off = (clientTime - now).Duration();
        if (off > skew)
            throw Refusals.ClockSkew(off, skew);
    }
}
