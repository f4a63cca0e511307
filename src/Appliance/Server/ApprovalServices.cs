using Appliance.Admin;
using Appliance.Credentials;
using Appliance.Panel;
using Appliance.Policy;
using Appliance.Server;
using Appliance.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Appliance.Approval;

namespace Appliance.Server;

/// <summary>Registers the approval gate, the withdrawal policy, pause control and the admin socket.</summary>
public static class ApprovalServices
{
    public static IServiceCollection AddApprovals(this IServiceCollection services, ServerSetup setup, CredentialVault vault, ApplianceState state)
    {
        services.AddSingleton(new WithdrawalPolicy(setup.Time));
        // The controller is the one writer of LEDs and display; the container disposes it.
        if (setup.Panel is { } panel)
            services.AddSingleton(sp =>
            {
                var controller = new PanelController(panel, state);
                sp.GetRequiredService<SignMetrics>().Signed += controller.OnSigned; // one flash per signature
                return controller;
            });
        services.AddSingleton<IApprovalGate>(sp =>
            setup.Approvals
            ?? (sp.GetService<PanelController>() is { } display
                ? new PanelApprovalGate(display, setup.Config.Approval, credential => vault.Metadata(credential).Approval, state,
                    setup.Time, sp.GetRequiredService<ILogger<PanelApprovalGate>>())
                : new NoPanelApprovalGate(setup.Config.Approval)));
        services.AddSingleton(sp => new PauseControl(state, setup.Panel, sp.GetRequiredService<ILogger<PauseControl>>()));
        // Resolving the socket at start also builds the gate and pause control, so the panel is live before the first request.
        services.AddHostedService(sp => new AdminSocketServer(setup.Data.AdminSocket, sp.GetRequiredService<PauseControl>(),
            sp.GetRequiredService<IApprovalGate>(), sp.GetRequiredService<ILogger<AdminSocketServer>>(),
            sp.GetService<PolicyReload>() is { } policy ? policy.ReloadAsync : null));
        return services;
    }
}
