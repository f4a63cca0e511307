using Appliance.Audit;
using Appliance.Client;
using Appliance.Front;
using Appliance.Provisioning;
using Appliance.Tests.EndToEnd;
using Appliance.V1;
using Google.Rpc;
using Grpc.Core;

namespace Appliance.Tests.BadInput;

/// <summary>One appliance (and its stand-in exchange) for the whole bad-input corpus.</summary>
public sealed class BadInputAppliance : IAsyncLifetime
{
    public TestAppliance Appliance { get; private set; } = null!;
    public ApplianceClient Client { get; private set; } = null!;
    public ApplianceBundle Bundle { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Appliance = await TestAppliance.StartAsync();
        Client = Appliance.Client();
        Bundle = ApplianceBundle.Load(Appliance.BundleDir);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Bundle.Dispose();
        await Appliance.DisposeAsync();
    }
}

/// <summary>
/// The bad-input corpus (BadInput/bad-input.json, at least 100 cases over gRPC Send and the HTTPS front): each case
/// is refused with the reason it names, and changes nothing: nothing reaches the stand-in exchange, the audit log
/// gains no signed or sent decision and no outcome, and the withdrawal cap is not used.
/// </summary>
public sealed class BadInputTests(BadInputAppliance fixture) : IClassFixture<BadInputAppliance>
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in BadInputCase.Load()) data.Add(c.ToString());
        return data;
    }

    [Fact]
    public void The_corpus_holds_at_least_100_distinct_cases_over_both_transports()
    {
        var cases = BadInputCase.Load();
        Assert.True(cases.Count >= 100, $"the corpus has {cases.Count} cases; it must keep at least 100");
        Assert.Equal(cases.Count, cases.Select(c => c.ToString()).Distinct().Count());
        Assert.Contains(cases, c => c.IsGrpc);
        Assert.Contains(cases, c => c.Via == "front");
        Assert.All(cases, c => Assert.True(c.Via is "grpc" or "front", $"{c}: via is grpc or front"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Bad_input_is_refused_with_its_reason_and_changes_nothing(string name)
    {
        var c = BadInputCase.Load().Single(x => x.ToString() == name);
        var appliance = fixture.Appliance;
        var reachedBefore = appliance.Exchange.Accepted.Count + appliance.Exchange.Rejected.Count;
        var leakedBefore = Leaked(appliance);

        var actual = c.IsGrpc ? await SendGrpcAsync(c) : await SendFrontAsync(c);
        Assert.True(actual == c.Reason, $"{c}: refused with {actual}, expected {c.Reason}");

        // Compared with before the case, so one failure names its own case and does not fail every later one.
        Assert.True(reachedBefore == appliance.Exchange.Accepted.Count + appliance.Exchange.Rejected.Count, $"{c}: the request reached the exchange");
        Assert.Equal(0m, appliance.Server.Guards.Withdrawals.UsedInWindow(DemoSetup.BotName, "BTC"));
        var leaked = Leaked(appliance) - leakedBefore;
        Assert.True(leaked == 0, $"{c}: the audit log gained {leaked} signed/sent record(s)");
    }

    /// <summary>Audit records that only a request that went out writes: a signed or sent decision, an outcome, a token.</summary>
    private static int Leaked(TestAppliance appliance) =>
        AuditReader.ReadAll(appliance.Data.AuditDir).Count(r => r.Entry.Kind is AuditKind.Outcome or AuditKind.Token
            || (r.Entry.Kind == AuditKind.Decision && r.Entry.Decision is "signed" or "sent"));

    /// <summary>The refusal as "REASON", "grpc:CODE" (no ErrorInfo) or "accepted" / "no answer".</summary>
    private async Task<string> SendGrpcAsync(BadInputCase c)
    {
        var request = new SignRequest
        {
            Method = BadInputCase.Expand(c.Method ?? ""),
            Path = BadInputCase.Expand(c.Path ?? ""),
            Credential = c.Credential ?? "",
            RequestId = c.RequestId is null ? Guid.NewGuid().ToString() : BadInputCase.Expand(c.RequestId),
        };
        foreach (var (key, value) in c.ExpandedParams()) request.Params.Add(new Param { Key = key, Value = value });
        try
        {
            var answer = await fixture.Client.Signer.SendAsync(request, deadline: DateTime.UtcNow.AddSeconds(20));
            return $"accepted (HTTP {answer.HttpStatus})";
        }
        catch (RpcException e)
        {
            var info = e.GetRpcStatus()?.GetDetail<ErrorInfo>();
            if (info is null) return e.StatusCode == StatusCode.ResourceExhausted ? $"grpc:{e.StatusCode}" : $"grpc:{e.StatusCode} ({e.Status.Detail})";
            Assert.False(string.IsNullOrWhiteSpace(e.Status.Detail), $"{c}: the refusal has no sentence");
            return info.Reason;
        }
    }

    private async Task<string> SendFrontAsync(BadInputCase c)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var responses = await RawHttps.SendAsync(fixture.Appliance.Address, fixture.Bundle, c.HttpBytes(), timeout.Token);
        if (responses.Count == 0) return "no answer";
        // A smuggled request shows as a later response: it must be refused too (never a 2xx).
        foreach (var later in responses.Skip(1))
            Assert.False(later.Status is >= 200 and < 300, $"{c}: a second request on the connection was answered {later.Status}");
        var first = responses[0];
        if (first.Header(FrontAnswers.ReasonHeader) is { } reason)
        {
            Assert.True(first.Status >= 400, $"{c}: a refusal with status {first.Status}");
            return reason;
        }
        // An answer that went through the pipeline carries its audit id: that is Upbit's answer, not a refusal.
        return first.Status >= 400 && first.Header(FrontAnswers.AuditIdHeader) is null ? $"http:{first.Status}" : $"accepted (HTTP {first.Status})";
    }
}
