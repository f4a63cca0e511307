using Appliance.Config;
using Appliance.Policy;

namespace Appliance.Provisioning;

/// <summary>Signs appliance.json's signed keys (DATA_DIR/policy/config.json) and checks them before <c>serve</c>.</summary>
public static class PolicyConfigSigning
{
    /// <summary>Signs the signed keys as they are in appliance.json now, unless exactly that is already signed.</summary>
    public static bool EnsureSigned(DataDir data, TimeProvider time, IPolicySigner signer, bool anchorLater = false)
    {
        var path = SignedConfigFile.PathIn(data.Root);
        var keys = SignedConfigKeys.ProjectFile(data.ConfigFile);
        var existing = SignedConfigFile.TryLoad(path);
        if (existing is not null && System.Text.Json.Nodes.JsonNode.DeepEquals(existing.Keys, keys)
            && Verify(data).Ok)
            return false;
        var records = new PolicyRecords(data, time, signer, anchorLater);
        var entry = PolicySigning.ConfigEntry(keys, records.NextVersion(PolicyRecordKey.Config, existing?.Policy.Version ?? 0));
        var seal = PolicySigning.Sign(signer, [entry], time.GetUtcNow())[entry.Key];
        new SignedConfigFile { Keys = keys, Policy = seal }.Save(path);
        records.Anchor(new PolicyAnchor(entry.Key, entry.Version, PolicyChanges.Signed));
        return true;
    }

    /// <summary>Whether appliance.json's signed keys may be used as they are (signature, floor, nothing widened).</summary>
    public static PolicyVerdict Verify(DataDir data, PolicyFloors? floors = null)
    {
        var pinned = TokenDescriptor.Load(data.TokenFile);
        floors ??= Audit.PolicyAnchorLog.ReadFloors(data.AuditDir, pinned.PublicKey(Token.KeySlot.Audit));
        return SignedConfigFile.Verify(SignedConfigFile.TryLoad(SignedConfigFile.PathIn(data.Root)), SignedConfigKeys.ProjectFile(data.ConfigFile),
            pinned.PublicKey(Token.KeySlot.Policy), floors.Of(PolicyRecordKey.Config));
    }
}
