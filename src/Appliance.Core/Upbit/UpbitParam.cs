namespace Appliance.Upbit;

/// <summary>One request parameter, in request order. Arrays repeat the key ("states[]").</summary>
public readonly record struct UpbitParam(string Key, string Value);
