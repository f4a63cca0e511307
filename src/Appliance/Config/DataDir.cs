namespace Appliance.Config;

/// <summary>The layout of the data directory (DESIGN.md "State on disk"), in one place.</summary>
public sealed class DataDir
{
    public DataDir(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string ConfigFile => Path.Combine(Root, "appliance.json");
    public string CaDir => Path.Combine(Root, "ca");
    public string CredentialsDir => Path.Combine(Root, "credentials");
    public string BotsDir => Path.Combine(Root, "bots");
    public string AuditDir => Path.Combine(Root, "audit");
    public string TokenFile => Path.Combine(Root, "token.json");

    /// <summary>The demo's software token keys: present only in a data dir made by <c>demo</c>.</summary>
    public string SoftwareTokenFile => Path.Combine(Root, "software-token.json");

    public string PanelSocket => Path.Combine(Root, "panel.sock");
    public string AdminSocket => Path.Combine(Root, "admin.sock");

    /// <summary>Locked by the one server of this data dir; see <see cref="LockForServer"/>.</summary>
    public const string LockFileName = "appliance.lock";

    /// <summary>
    /// Takes the data dir for one server, before anything of it is opened for writing (the audit log
    /// above all): a second serve or demo on the same dir is refused here, having written nothing.
    /// Released when disposed or when the process dies.
    /// </summary>
    public Common.DirectoryLock LockForServer()
    {
        Common.AtomicFile.CreatePrivateDirectory(Root);
        return Common.DirectoryLock.Acquire(Root, LockFileName, pid =>
            $"Another appliance server{(pid is { } p ? $" (pid {p})" : "")} is running on {Root}; stop it first (two servers must not share a data dir, they would interleave one audit log).");
    }

    /// <summary>The default production location; <c>demo</c> uses a directory under the user's home.</summary>
    public const string DefaultRoot = "/var/lib/appliance";

    public static string DefaultDemoRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var baseDir = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(baseDir, "appliance-demo");
    }

    public bool IsInitialized => File.Exists(ConfigFile) && File.Exists(TokenFile);

    public void EnsureInitialized()
    {
        if (!IsInitialized)
            throw new InvalidOperationException(
                $"{Root} is not an appliance data dir (no appliance.json or token.json); run 'appliance init --data-dir {Root} …' or 'appliance demo'.");
    }
}
