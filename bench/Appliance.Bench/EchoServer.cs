using System.Net;
using Appliance.Config;
using Appliance.Pki;
using Appliance.Server;
using Appliance.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Bench;

/// <summary>
/// The baseline: a bare gRPC unary method on the same Kestrel + mTLS setup as the appliance
/// (<see cref="KestrelSetup"/>, the same server certificate and the same handshake check against the
/// same bot registry, the same gRPC options), taking a SignRequest and answering with a SendResponse
/// of the size Send answers. Whatever Send costs above it is the appliance's own work.
/// </summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app) => _app = app;

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <param name="answer">What every call answers (a real Send answer, so the sizes match).</param>
    public static async Task<EchoServer> StartAsync(BenchServer appliance, SendResponse answer)
    {
        var listen = new[] { new IPEndPoint(IPAddress.Loopback, 0) };
        using var ca = ApplianceCa.Load(appliance.Data.CaDir, TimeProvider.System);
        var certificate = ca.IssueServerCertificate(ServerNames.Default(listen));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc(o =>
        {
            o.EnableDetailedErrors = false;
            o.MaxReceiveMessageSize = KestrelSetup.MaxRequestBytes;
            o.MaxSendMessageSize = 8 << 20;
        });
        builder.Services.AddSingleton(new EchoService(answer));
        var bots = appliance.Server.Bots;
        builder.WebHost.ConfigureKestrel(k => KestrelSetup.Configure(k, listen, certificate, bots.IsIssued, new BotConnections()));
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        return new EchoServer(app);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A hand-bound service base (what protoc would generate), so the bench needs no proto of its own.</summary>
[BindServiceMethod(typeof(EchoBase), nameof(BindService))]
public abstract class EchoBase
{
    public static readonly Method<SignRequest, SendResponse> SendMethod = new(MethodType.Unary, "bench.Echo", "Send",
        Marshal(SignRequest.Parser), Marshal(SendResponse.Parser));

    public virtual Task<SendResponse> Send(SignRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, ""));

    public static void BindService(ServiceBinderBase binder, EchoBase? service) =>
        binder.AddMethod(SendMethod, service is null ? null : service.Send);

    private static Marshaller<T> Marshal<T>(MessageParser<T> parser) where T : IMessage<T> =>
        Marshallers.Create(m => m.ToByteArray(), parser.ParseFrom);
}

/// <summary>Answers every call with the same prepared SendResponse.</summary>
public sealed class EchoService(SendResponse answer) : EchoBase
{
    public override Task<SendResponse> Send(SignRequest request, ServerCallContext context) => Task.FromResult(answer);
}
