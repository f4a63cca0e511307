namespace Appliance.Policy;

/// <summary>What a signed policy record is: a bot profile, a credential (its envelope) or the signed keys of appliance.json.</summary>
public enum PolicyRecordKind { Bot, Credential, Config }

/// <summary>One signed record by kind and name, written "bot/grid", "credential/main", "config/appliance".</summary>
public readonly record struct PolicyRecordKey(PolicyRecordKind Kind, string Name)
{
    /// <summary>The one config record: the signed keys of appliance.json.</summary>
    public static readonly PolicyRecordKey Config = new(PolicyRecordKind.Config, "appliance");

    public static PolicyRecordKey Bot(string name) => new(PolicyRecordKind.Bot, name);

    public static PolicyRecordKey Credential(string name) => new(PolicyRecordKind.Credential, name);

    public string KindWire => KindToWire(Kind);

    public override string ToString() => $"{KindWire}/{Name}";

    public static string KindToWire(PolicyRecordKind kind) => kind switch
    {
        PolicyRecordKind.Bot => "bot",
        PolicyRecordKind.Credential => "credential",
        PolicyRecordKind.Config => "config",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown record kind."),
    };

    public static bool TryParseKind(string? wire, out PolicyRecordKind kind)
    {
        switch (wire)
        {
            case "bot": kind = PolicyRecordKind.Bot; return true;
            case "credential": kind = PolicyRecordKind.Credential; return true;
            case "config": kind = PolicyRecordKind.Config; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>Parses "bot/grid"; throws FormatException otherwise.</summary>
    public static PolicyRecordKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1 || !TryParseKind(text[..slash], out var kind))
            throw new FormatException($"'{text}' is not a policy record name such as bot/NAME, credential/NAME or config/appliance.");
        return new PolicyRecordKey(kind, text[(slash + 1)..]);
    }
}
