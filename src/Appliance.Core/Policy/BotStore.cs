using System.Text.Json;
using Appliance.Common;

namespace Appliance.Policy;

/// <summary>The bot profiles on disk: DATA_DIR/bots/NAME.json, each written atomically.</summary>
public sealed class BotStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public BotStore(string dataDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        Directory = Path.Combine(dataDir, "bots");
    }

    public string Directory { get; }

    public string PathOf(string name)
    {
        BotNames.Validate(name);
        return Path.Combine(Directory, name + ".json");
    }

    public bool Exists(string name) => File.Exists(PathOf(name));

    public void Save(BotProfile profile)
    {
        AtomicFile.CreatePrivateDirectory(Directory);
        AtomicFile.WriteAllText(PathOf(profile.Name), JsonSerializer.Serialize(profile, Json));
    }

    public BotProfile Load(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
            throw new InvalidOperationException($"No bot named '{name}'; see 'appliance bots list'.");
        return Parse(path);
    }

    public IReadOnlyList<BotProfile> LoadAll()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return System.IO.Directory.EnumerateFiles(Directory, "*.json")
            .Order(StringComparer.Ordinal)
            .Select(Parse)
            .ToList();
    }

    /// <summary>Every NAME.json with its profile, or why it could not be read: one bad file does not hide the others.</summary>
    public IReadOnlyList<PolicyFile<BotProfile>> LoadEach()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var result = new List<PolicyFile<BotProfile>>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!BotNames.IsValid(name)) continue; // temp files of atomic writes, editor backups
            try { result.Add(new PolicyFile<BotProfile>(PolicyRecordKey.Bot(name), path, Parse(path), null)); }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                result.Add(new PolicyFile<BotProfile>(PolicyRecordKey.Bot(name), path, null, e.Message));
            }
        }
        return result;
    }

    /// <summary>Deletes a bot's profile (<c>bots remove</c>): narrowing, so it needs no token.</summary>
    public void Remove(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
            throw new InvalidOperationException($"No bot named '{name}'; see 'appliance bots list'.");
        File.Delete(path);
        AtomicFile.FsyncDirectory(Directory);
    }

    private static BotProfile Parse(string path)
    {
        try
        {
            var profile = JsonSerializer.Deserialize<BotProfile>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path} is empty.");
            if (BotProfile.RateProblem(profile.RatePerSecond, profile.Burst) is { } problem)
                throw new InvalidDataException($"{path}: 'rate_per_second'/'burst': {problem}; fix the file or re-add the bot.");
            return profile;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new InvalidDataException($"{path} is not a valid bot profile ({e.Message}); restore it or re-add the bot.", e);
        }
    }
}
