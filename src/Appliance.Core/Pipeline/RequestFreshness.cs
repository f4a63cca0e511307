using System.Text.RegularExpressions;
using Appliance.Common;

namespace Appliance.Pipeline;

/// <summary>Step 2, the replay half: a well-formed request_id and a client_time within the skew.</summary>
public static partial class RequestFreshness
{
    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex RequestIdPattern();

    public static void CheckRequestId(string? requestId)
    {
        if (requestId is null || !RequestIdPattern().IsMatch(requestId)) throw Refusals.BadRequestId();
    }

    /// <param name="required">Sign needs a client_time; on Send it is optional, but checked when present.</param>
    public static void CheckClientTime(DateTimeOffset? clientTime, DateTimeOffset now, TimeSpan skew, bool required)
    {
        if (clientTime is not { } t)
        {
            if (required) throw Refusals.MissingClientTime();
            return;
        }
        var off = (t - now).Duration();
        if (off > skew) throw Refusals.ClockSkew(off, skew);
    }
}
