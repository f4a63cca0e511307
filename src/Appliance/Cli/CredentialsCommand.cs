using System.CommandLine;
using System.Globalization;
using Appliance.Provisioning;
using Appliance.Sealing;

namespace Appliance.Cli;

/// <summary><c>appliance credentials add|list|rotate|remove</c>. Secrets come from stdin only.</summary>
internal static class CredentialsCommand
{
    public static Command Build(CliIo io, TimeProvider time)
    {
        var credentials = new Command("credentials", "Seal Upbit API keys to the hardware token");
        credentials.Add(Add(io, time));
        credentials.Add(List(io, time));
        credentials.Add(Rotate(io, time));
        credentials.Add(Remove(io, time));
        return credentials;
    }

    private static Option<DateTimeOffset?> Expires() => new("--expires")
    {
        Description = "Expiry date shown by Upbit, YYYY-MM-DD (default: one year from now)",
        CustomParser = r =>
        {
            if (DateTimeOffset.TryParseExact(r.Tokens.Single().Value, "yyyy-MM-dd", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out var date))
                return date;
            r.AddError("--expires must be a date as YYYY-MM-DD, e.g. 2027-11-28.");
            return null;
        },
    };

    /// <summary>Checked while parsing, so a bad name is refused before the secret is asked for.</summary>
    private static Option<string?> Pocket(string description) => new("--pocket")
    {
        Description = description,
        CustomParser = r =>
        {
            var value = r.Tokens.Single().Value;
            if (Upbit.Pockets.IsValid(value)) return value;
            r.AddError($"--pocket '{value}' is not a pocket name; use 1-{Upbit.Pockets.MaxLength} characters of a-z, 0-9, '_' or '-', e.g. --pocket main or --pocket sub1.");
            return null;
        },
    };

    private static Command Add(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var name = new Argument<string>("name");
        var accessKey = new Option<string>("--access-key") { Description = "Upbit access key (not secret)", Required = true };
        var approval = new Option<string>("--approval") { Description = "none, button or touch (touch: sealed to the touch-always slot)", DefaultValueFactory = _ => "none" };
        var scopes = new Option<string?>("--scopes") { Description = "Permissions this Upbit key has (default: trade,view-assets,view-orders)" };
        var expires = Expires();
        var pocket = Pocket("The Upbit pocket this key was issued in (Upbit counts rate limits per pocket; default: main)");
        var command = new Command("add", "Seal a new credential; the secret key is read from stdin") { name, dataDir, accessKey, approval, scopes, expires, pocket };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var mode = ApprovalModes.Parse(parse.GetValue(approval)!);
            using var secret = SecretInput.ReadLine(io, "Upbit secret key (input hidden): ");
            var sealedCredential = new CredentialProvisioning(data, time, new DataDirPolicySigner(data, io.Out)).Add(parse.GetValue(name)!, parse.GetValue(accessKey)!, mode,
                CommonOptions.SplitList(parse.GetValue(scopes)), parse.GetValue(expires), secret, parse.GetValue(pocket));
            io.Out.WriteLine($"credential {sealedCredential.Name} sealed to slot {SealSlots.ToWire(sealedCredential.Slot)}{(sealedCredential.Recovery is null ? "" : " and to the recovery token")}, pocket {sealedCredential.Metadata.Pocket}, signed, expires {sealedCredential.Metadata.Expires:yyyy-MM-dd}");
            return 0;
        });
        return command;
    }

    private static Command List(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var command = new Command("list", "List credentials with their age; warns 90 and 30 days before expiry") { dataDir };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var all = new CredentialStore(data.Root).List();
            if (all.Count == 0) { io.Out.WriteLine("no credentials; add one with 'appliance credentials add'"); return 0; }
            var now = time.GetUtcNow();
            io.Out.WriteLine($"{"NAME",-16} {"ACCESS KEY",-24} {"POCKET",-10} {"APPROVAL",-8} {"AGE",6} {"EXPIRES",-10}  SCOPES");
            foreach (var c in all.Select(c => c.Metadata))
            {
                var age = (int)(now - c.Created).TotalDays;
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name,-16} {c.AccessKey,-24} {c.Pocket,-10} {c.Approval.ToWire(),-8} {age,5}d {c.Expires:yyyy-MM-dd}  {string.Join(",", c.Scopes)}"));
                var left = (c.Expires - now).TotalDays;
                if (left <= 0) io.Out.WriteLine($"  EXPIRED: issue a new Upbit key and run 'appliance credentials rotate {c.Name}'");
                else if (left <= 30) io.Out.WriteLine($"  WARNING: expires in {(int)left} days; rotate it now");
                else if (left <= 90) io.Out.WriteLine($"  warning: expires in {(int)left} days; plan a rotation");
            }
            return 0;
        });
        return command;
    }

    private static Command Rotate(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var name = new Argument<string>("name");
        var accessKey = new Option<string?>("--access-key") { Description = "The new key's access key (default: keep)" };
        var expires = Expires();
        var pocket = Pocket("The new key's Upbit pocket (default: keep)");
        var command = new Command("rotate", "Replace a credential's secret atomically; the new secret is read from stdin") { name, dataDir, accessKey, expires, pocket };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            using var secret = SecretInput.ReadLine(io, "New Upbit secret key (input hidden): ");
            var rotated = new CredentialProvisioning(data, time, new DataDirPolicySigner(data, io.Out)).Rotate(parse.GetValue(name)!, parse.GetValue(accessKey), parse.GetValue(expires), secret, parse.GetValue(pocket));
            io.Out.WriteLine($"credential {rotated.Name} rotated; expires {rotated.Metadata.Expires:yyyy-MM-dd}. A running server uses it within a second.");
            return 0;
        });
        return command;
    }

    private static Command Remove(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var name = new Argument<string>("name");
        var command = new Command("remove", "Delete a sealed credential (needs no token; anchored in the audit log)") { name, dataDir };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            new CredentialProvisioning(data, time, new DataDirPolicySigner(data, io.Out)).Remove(parse.GetValue(name)!);
            io.Out.WriteLine($"credential {parse.GetValue(name)} removed; the removal is anchored in the audit log");
            return 0;
        });
        return command;
    }
}
