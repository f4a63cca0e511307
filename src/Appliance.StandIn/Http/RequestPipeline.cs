using Microsoft.AspNetCore.Http;

namespace Appliance.StandIn;

/// <summary>
/// One HTTP request through the stand-in. Order: injected pre-fault (429/418/500) → route (404) →
/// request shape (400 invalid_parameter / validation_error) → token (401 no_authorization_token,
/// jwt_verification, invalid_access_key, nonce_used) → query_hash (401 invalid_query_payload) →
/// pocket scope (401 out_of_scope) → the exchange (2xx or a business error) → post-fault (delay, drop,
/// oversized). A request refused with 400 before the token check does not consume its nonce.
/// </summary>
internal sealed class RequestPipeline(
    EndpointTable routes,
    ExchangeState state,
    UpbitKeyRing keys,
    StandInFaults faults,
    RequestLog log,
    RemainingReq remaining,
    TimeProvider time,
    Action<string> say)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        var method = ctx.Request.Method;
        var path = ctx.Request.Path.Value ?? "";
        var ct = ctx.RequestAborted;
        var route = routes.Find(method, path);
        ctx.Response.Headers["Remaining-Req"] = remaining.Next(route?.Group ?? "default");

        var fault = faults.Take(method, path);
        if (fault?.Kind is StandInFaultKind.TooManyRequests or StandInFaultKind.Blocked or StandInFaultKind.ServerError)
        {
            await AnswerPreFaultAsync(ctx, fault, await LenientParamsAsync(ctx.Request, ct), ct);
            return;
        }

        UpbitRequestParams request;
        try
        {
            request = await UpbitRequestReader.ReadParamsAsync(ctx.Request, ct);
            if (route is null)
            {
                throw UpbitRejection.NotFound($"no stand-in endpoint for {method} {path}; see docs/stand-in-exchange.md for the list");
            }
        }
        catch (UpbitRejection rejection)
        {
            await RejectAsync(ctx, rejection, [], ct);
            return;
        }

        if (route.Public)
        {
            var answer = Run(route, new Call(new RequestArgs(request.Params), "", state.Main, state));
            log.Add(new PublicRequest(method, path, request.Params, answer.Status));
            await FinishAsync(ctx, answer, fault, ct);
            return;
        }

        VerifiedToken token;
        Pocket pocket;
        try
        {
            var authorization = ctx.Request.Headers.Authorization;
            if (authorization.Count > 1)
            {
                throw UpbitRejection.Unauthorized(UpbitErrorNames.NoAuthorizationToken, "more than one Authorization header");
            }

            token = UpbitJwtVerifier.Verify(authorization.ToString(), keys);
            UpbitQueryHashCheck.Verify(token, request);
            lock (state.Gate)
            {
                pocket = state.PocketOf(token.AccessKey);
            }

            CheckScope(route, pocket);
        }
        catch (UpbitRejection rejection)
        {
            await RejectAsync(ctx, rejection, request.Params, ct);
            return;
        }

        var result = Run(route, new Call(new RequestArgs(request.Params), token.AccessKey, pocket, state));
        log.Add(new AcceptedRequest(method, path, request.Params, token.AccessKey, token.Alg, token.Nonce, token.QueryHash)
        {
            StatusCode = result.Status,
            ErrorName = result.Status >= 400 ? result.Body["error"]?["name"]?.GetValue<string>() : null,
            Fault = fault?.Kind,
            HeaderNames = [.. ctx.Request.Headers.Keys.Select(k => k.ToLowerInvariant())],
        });
        await FinishAsync(ctx, result, fault, ct);
    }

    private Answer Run(Endpoint route, Call call)
    {
        try
        {
            lock (state.Gate)
            {
                return route.Handler(call);
            }
        }
        catch (UpbitRejection rejection)
        {
            return new Answer(rejection.StatusCode, Answers.Error(rejection.ErrorName, rejection.Message));
        }
    }

    private static void CheckScope(Endpoint route, Pocket pocket)
    {
        if (route.Scope == PocketScope.MainOnly && !pocket.IsMain)
        {
            throw UpbitRejection.Unauthorized(UpbitErrorNames.OutOfScope, $"{route.Method} {route.Path} needs a main-pocket key; this key belongs to a sub-pocket");
        }

        if (route.Scope == PocketScope.SubOnly && pocket.IsMain)
        {
            throw UpbitRejection.Unauthorized(UpbitErrorNames.OutOfScope, $"{route.Method} {route.Path} needs a sub-pocket key; use /v1/pockets/universal_transfers from the main pocket");
        }
    }

    private async Task FinishAsync(HttpContext ctx, Answer answer, StandInFault? fault, CancellationToken ct)
    {
        say($"{ctx.Request.Method} {ctx.Request.Path} -> {answer.Status}{(fault is null ? "" : $" (fault: {fault.Kind})")}");
        switch (fault?.Kind)
        {
            case StandInFaultKind.Delay:
                await Task.Delay(fault.Delay, time, ct);
                break;
            case StandInFaultKind.DropConnection:
                // The exchange has acted; the answer is lost on the way, as when a connection dies mid-response.
                ctx.Abort();
                return;
            case StandInFaultKind.OversizedBody:
                await Answers.WriteOversizedAsync(ctx.Response, fault.SizeMiB, ct);
                return;
        }

        await Answers.WriteJsonAsync(ctx.Response, answer.Status, answer.Body, ct);
    }

    private async Task AnswerPreFaultAsync(HttpContext ctx, StandInFault fault, IReadOnlyList<KeyValuePair<string, string>> pairs, CancellationToken ct)
    {
        var (status, text) = fault.Kind switch
        {
            StandInFaultKind.TooManyRequests => (429, "Too many API requests."),
            StandInFaultKind.Blocked => (418, "Your IP is blocked by too many requests; wait for Retry-After seconds."),
            _ => (500, "Internal Server Error"),
        };
        if (fault.Kind == StandInFaultKind.Blocked)
        {
            ctx.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        log.Add(new FaultedRequest(ctx.Request.Method, ctx.Request.Path.Value ?? "", pairs, fault.Kind, status));
        say($"{ctx.Request.Method} {ctx.Request.Path} -> {status} (fault: {fault.Kind})");
        await Answers.WriteTextAsync(ctx.Response, status, text, ct);
    }

    private async Task RejectAsync(HttpContext ctx, UpbitRejection rejection, IReadOnlyList<KeyValuePair<string, string>> pairs, CancellationToken ct)
    {
        log.Add(new RejectedRequest(ctx.Request.Method, ctx.Request.Path.Value ?? "", rejection.StatusCode, rejection.ErrorName, rejection.Detail) { Params = pairs });
        say($"{ctx.Request.Method} {ctx.Request.Path} -> {rejection.StatusCode} {rejection.ErrorName}");
        await Answers.WriteJsonAsync(ctx.Response, rejection.StatusCode, Answers.Error(rejection.ErrorName, rejection.Message), ct);
    }

    /// <summary>Parameters for the record of a faulted request: whatever parses, nothing if it does not.</summary>
    private static async Task<IReadOnlyList<KeyValuePair<string, string>>> LenientParamsAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return (await UpbitRequestReader.ReadParamsAsync(request, ct)).Params;
        }
        catch (UpbitRejection)
        {
            return [];
        }
    }
}
