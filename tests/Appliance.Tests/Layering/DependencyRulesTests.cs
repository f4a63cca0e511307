using ArchUnitNET.Domain;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnitV3;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using ArchAssembly = System.Reflection.Assembly;

namespace Appliance.Tests.Layering;

/// <summary>
/// The shape DESIGN.md promises, checked on the compiled assemblies: a pure core that knows nothing
/// of ASP.NET, PKCS#11 or GPIO, and no cycle between feature folders (namespaces) anywhere.
/// </summary>
public sealed class DependencyRulesTests
{
    private static readonly ArchAssembly Core = typeof(Appliance.Pipeline.RequestPipeline).Assembly;
    private static readonly ArchAssembly App = typeof(Appliance.Server.ApplianceServer).Assembly;

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Loaded = new(() =>
        new ArchLoader().LoadAssemblies(Core, App).Build());

    [Theory]
    [InlineData("Microsoft.AspNetCore")]
    [InlineData("Grpc")]
    [InlineData("Net.Pkcs11Interop")]
    [InlineData("System.Device")]
    [InlineData("Iot.Device")]
    public void Core_depends_on_no_adapter_library(string forbidden)
    {
        Types().That().ResideInAssembly(Core)
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching($@"^{System.Text.RegularExpressions.Regex.Escape(forbidden)}(\..*)?$"))
            .Because("the core is pure: hardware sits behind IHardwareToken and IPanel, the network behind the pipeline's ports")
            .Check(Loaded.Value);
    }

    [Fact]
    public void Core_references_no_adapter_assembly()
    {
        // The compiler's view as well: not even an unused reference may creep in.
        var names = Core.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        Assert.DoesNotContain(names, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || n.StartsWith("Pkcs11Interop", StringComparison.Ordinal) || n.StartsWith("System.Device", StringComparison.Ordinal)
            || n.StartsWith("Iot.Device", StringComparison.Ordinal) || n.StartsWith("Grpc", StringComparison.Ordinal));
    }

    [Fact]
    public void Feature_folders_form_no_cycle()
    {
        SliceRuleDefinition.Slices().Matching("Appliance.(*)").Should().BeFreeOfCycles().Check(Loaded.Value);
    }

    [Fact]
    public void The_audit_chain_knows_no_token()
    {
        // Checkpoints are signed through the audit log's own ICheckpointSigner; the executable adapts the token.
        Types().That().ResideInNamespace("Appliance.Audit")
            .Should().NotDependOnAny(Types().That().ResideInNamespace("Appliance.Token"))
            .Check(Loaded.Value);
    }

    [Fact]
    public void Only_the_server_folder_wires_services()
    {
        // One place wires the app: feature folders register nothing with the container.
        Types().That().ResideInAssembly(App).And().DoNotResideInNamespace("Appliance.Server")
            .Should().NotDependOnAny(Types().That().HaveFullName("Microsoft.Extensions.DependencyInjection.IServiceCollection"))
            .Check(Loaded.Value);
    }
}
