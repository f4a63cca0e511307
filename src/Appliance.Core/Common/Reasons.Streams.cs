namespace Appliance.Common;

/// <summary>Reason codes of the private WebSocket relay. The first four are Upbit's own WebSocket error names, so a client that handles Upbit's frames handles these.</summary>
public static partial class Reasons
{
    // INVALID_ARGUMENT (Upbit's WebSocket error names)
    public const string WrongFormat = "WRONG_FORMAT";
    public const string NoTicket = "NO_TICKET";
    public const string NoType = "NO_TYPE";
    public const string InvalidParam = "INVALID_PARAM";
    public const string FrameTooLarge = "FRAME_TOO_LARGE";

    // RESOURCE_EXHAUSTED
    public const string TooManyStreams = "TOO_MANY_STREAMS";
    public const string StreamBacklog = "STREAM_BACKLOG";

    // UNAVAILABLE
    public const string ApplianceStopping = "APPLIANCE_STOPPING";
}
