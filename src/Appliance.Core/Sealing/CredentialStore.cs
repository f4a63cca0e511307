using Appliance.Common;

namespace Appliance.Sealing;

/// <summary>
/// The sealed credentials of a data dir: DATA_DIR/credentials/NAME.sealed.json, directory mode 0700,
/// every file written with <see cref="AtomicFile"/>. Rotation replaces the file by an atomic rename,
/// so at every instant the file holds either the whole old envelope or the whole new one; no .prev
/// copy is kept (a rotated-out Upbit key should be revoked at Upbit, not kept around sealed).
/// </summary>
public sealed class CredentialStore
{
    public const string FileSuffix = ".sealed.json";

    // Serialises check-then-write within this process; the CLI and the server do not write concurrently.
    private readonly Lock _gate = new();

    public CredentialStore(string dataDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        Directory = Path.Combine(Path.GetFullPath(dataDir), "credentials");
    }

    /// <summary>DATA_DIR/credentials.</summary>
    public string Directory { get; }

    public string PathFor(string name)
    {
        CredentialName.Validate(name, nameof(name));
        return Path.Combine(Directory, name + FileSuffix);
    }

    public bool Exists(string name) => File.Exists(PathFor(name));

    /// <summary>Stores a new credential; refuses a name that is already taken.</summary>
    public void Add(SealedCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        lock (_gate)
        {
            var path = PathFor(credential.Name);
            if (File.Exists(path))
                throw new InvalidOperationException(
                    $"A credential named '{credential.Name}' already exists; use `appliance credentials rotate {credential.Name}` to replace its key, or choose another name.");
            Write(path, credential);
        }
    }

    /// <summary>Replaces an existing credential (rotate). The new envelope is durable before the old one is gone.</summary>
    public void Replace(SealedCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        lock (_gate)
        {
            var path = PathFor(credential.Name);
            if (!File.Exists(path))
                throw new InvalidOperationException(
                    $"There is no credential named '{credential.Name}' to rotate; use `appliance credentials add {credential.Name}` to create it.");
            Write(path, credential);
        }
    }

    /// <summary>Deletes a credential's envelope; refuses an unknown name.</summary>
    public void Remove(string name)
    {
        lock (_gate)
        {
            var path = PathFor(name);
            if (!File.Exists(path))
                throw new InvalidOperationException(
                    $"There is no credential named '{name}'; `appliance credentials list` shows the names.");
            File.Delete(path);
            AtomicFile.FsyncDirectory(Directory);
        }
    }

    /// <summary>
    /// The credential named <paramref name="name"/>, or null when there is none. A file that is
    /// malformed, or whose content names another credential, is a <see cref="FormatException"/>.
    /// </summary>
    public SealedCredential? TryGet(string name)
    {
        var path = PathFor(name);
        string json;
        try { json = File.ReadAllText(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        return Parse(path, name, json);
    }

    /// <summary>All credentials, ordered by name. Files not named NAME.sealed.json (temp files, .prev) are skipped.</summary>
    public IReadOnlyList<SealedCredential> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var result = new List<SealedCredential>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + FileSuffix))
        {
            var fileName = Path.GetFileName(path);
            if (!fileName.EndsWith(FileSuffix, StringComparison.Ordinal)) continue;
            var name = fileName[..^FileSuffix.Length];
            if (!CredentialName.IsValid(name)) continue;
            result.Add(Parse(path, name, File.ReadAllText(path)));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    /// <summary>
    /// Every NAME.sealed.json with its credential, or why it could not be read: one bad file does not hide the others.
    /// </summary>
    public IReadOnlyList<(string Name, string Path, SealedCredential? Credential, string? Error)> ListEach()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var result = new List<(string, string, SealedCredential?, string?)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + FileSuffix).Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(path);
            if (!fileName.EndsWith(FileSuffix, StringComparison.Ordinal)) continue;
            var name = fileName[..^FileSuffix.Length];
            if (!CredentialName.IsValid(name)) continue;
            try { result.Add((name, path, Parse(path, name, File.ReadAllText(path)), null)); }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                result.Add((name, path, null, e.Message));
            }
        }
        return result;
    }

    private static SealedCredential Parse(string path, string expectedName, string json)
    {
        SealedCredential credential;
        try { credential = SealedCredential.FromJson(json); }
        catch (FormatException e) { throw new FormatException($"{path}: {e.Message}", e); }
        // The envelope authenticates only itself, so a file copied over another name would unseal as
        // the other credential: the file name must agree with the sealed name.
        if (credential.Name != expectedName)
            throw new FormatException(
                $"{path}: the file holds credential '{credential.Name}', not '{expectedName}'; rename it back to {credential.Name}{FileSuffix}.");
        return credential;
    }

    private void Write(string path, SealedCredential credential)
    {
        AtomicFile.CreatePrivateDirectory(Directory);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AtomicFile.WriteAllText(path, credential.ToJson());
    }
}
