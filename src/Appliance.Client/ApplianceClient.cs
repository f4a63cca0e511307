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

    /// <summary>
    /// Has the appliance judge, sign and send the request to Upbit; returns Upbit's answer (its 4xx/5xx too).
    /// A fresh request_id is sent unless one is given; resend with the same id after a network error, and
    /// the appliance returns the stored answer instead of sending twice.
    /// </summary>
    public async Task<SendResponse> SendAsync(string method, string path,
        IEnumerable<KeyValuePair<string, string>> parameters, string credential = "", string? requestId = null,
        CancellationToken cancellationToken = default, DateTime? deadline = null)
    {
        var request = new SignRequest
        {
            Method = method,
            Path = path,
            Credential = credential,
            // No client_time: Send needs none (the request_id stops a second send), and a retry keeps working
            // however late it comes.
            RequestId = requestId ?? Guid.NewGuid().ToString(),
        };
        foreach (var (key, value) in parameters)
            request.Params.Add(new Param { Key = key, Value = value });
        return await Signer.SendAsync(request, deadline: deadline, cancellationToken: cancellationToken);
    }

    /// <summary>A detached token (only for bots added with --detached): the bot sends the request itself.</summary>
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
