namespace Appliance.Common;

/// <summary>Refusals of the private WebSocket relay (gRPC Subscribe and /websocket/v1/private on the front).</summary>
public static partial class Refusals
{
    public static SignRefusal WrongFormat(string fix) => Invalid(Reasons.WrongFormat,
        $"The subscription is not in Upbit's format; {fix}.");

    public static SignRefusal NoTicket() => Invalid(Reasons.NoTicket,
        "The first object of a subscription must be {\"ticket\":\"<any unique string>\"}; add it.");

    public static SignRefusal NoType() => Invalid(Reasons.NoType,
        "The subscription names no type; add {\"type\":\"myOrder\"} or {\"type\":\"myAsset\"}.");

    public static SignRefusal UnknownStreamType(string type) => Invalid(Reasons.InvalidParam,
        $"Type '{Echo(type)}' is not relayed; the appliance relays only myOrder and myAsset (read quotation types from Upbit's public /websocket/v1 directly).");

    public static SignRefusal BadStreamCode(string code) => Invalid(Reasons.InvalidParam,
        $"Code '{Echo(code)}' is not a market code; use upper-case codes such as KRW-BTC.");

    public static SignRefusal StreamFormatNotServed(string format) => Invalid(Reasons.InvalidParam,
        $"Format '{Echo(format)}' is not relayed; use DEFAULT or JSON_LIST (or leave format out).");

    public static SignRefusal FrameTooLarge(int maxBytes) => Invalid(Reasons.FrameTooLarge,
        $"The message is larger than {maxBytes / 1024} KiB and was dropped; a subscription is a few hundred bytes, send a shorter one.");

    public static SignRefusal TooManyStreams(string bot, int max) => new(RefusalKind.ResourceExhausted, Reasons.TooManyStreams,
        $"Bot '{bot}' already has {max} open subscriptions; close one (one subscription can carry myOrder and myAsset) before opening another.");

    public static SignRefusal StreamBacklog(int max) => new(RefusalKind.ResourceExhausted, Reasons.StreamBacklog,
        $"The bot read too slowly: more than {max} events waited, so the stream was closed; read events as they come and subscribe again.");

    public static SignRefusal ApplianceStopping() => new(RefusalKind.Unavailable, Reasons.ApplianceStopping,
        "The appliance is stopping, so the stream ended; subscribe again once it is back.");
}
