using Appliance.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;

namespace Appliance.Client;

/// <summary>
/// A bot's connection to the appliance. Fills in request_id (a fresh UUID) and client_time
/// (from the given TimeProvider) on every call. Owns its channel and bundle.
/// </summary>
public sealed class ApplianceClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly ApplianceBundle _bundle;
    private readonly TimeProvider _time;

    public ApplianceClient(ApplianceBundle bundle, TimeProvider? time = null, Uri? endpoint = null)
    {
        _bundle = bundle ?? throw new ArgumentNullException(nameof(bundle));
        _time = time ?? TimeProvider.System;
        _channel = GrpcChannel.ForAddress(endpoint ?? bundle.Endpoint, new GrpcChannelOptions
        {
            HttpHandler = ApplianceTls.CreateHandler(bundle),
            DisposeHttpClient = true,
        });
        Signer = new Signer.SignerClient(_channel);
    }

    public static ApplianceClient FromBundle(string directory, TimeProvider? time = null) =>
        new(ApplianceBundle.Load(directory), time);

    /// <summary>The generated client, for callers that set every field themselves.</summary>
    public Signer.SignerClient Signer { get; }

    public string Bot => _bundle.Bot;

    public async Task<SignResponse> SignAsync(string method, string path,
        IEnumerable<KeyValuePair<string, string>> parameters, string credential = "",
        CancellationToken cancellationToken = default)
    {
        var request = new SignRequest
        {
            Method = method,
            Path = path,
            Credential = credential,
            RequestId = Guid.NewGuid().ToString(),
            ClientTime = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
        };
        foreach (var (key, value) in parameters)
            request.Params.Add(new Param { Key = key, Value = value });
        return await Signer.SignAsync(request, cancellationToken: cancellationToken);
    }

    public async Task<SignResponse> SignWebSocketAsync(string credential = "", CancellationToken cancellationToken = default) =>
        await Signer.SignWebSocketAsync(new SignWebSocketRequest
        {
            Credential = credential,
            RequestId = Guid.NewGuid().ToString(),
            ClientTime = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
        }, cancellationToken: cancellationToken);

    public async Task<ApplianceStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        await Signer.GetStatusAsync(new GetStatusRequest(), cancellationToken: cancellationToken);

    public void Dispose()
    {
        _channel.Dispose();
        _bundle.Dispose();
    }
}
