using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>Which pocket's keys may call an endpoint (others get 401 out_of_scope, as Upbit answers a missing permission).</summary>
internal enum PocketScope
{
    Any,
    MainOnly,
    SubOnly,
}

/// <summary>What a handler answers: the HTTP status and the JSON body.</summary>
internal sealed record Answer(int Status, JsonNode Body)
{
    public static Answer Ok(JsonNode body) => new(200, body);

    public static Answer Created(JsonNode body) => new(201, body);
}

/// <summary>One authenticated call, handed to a handler while the caller holds <see cref="ExchangeState.Gate"/>.</summary>
internal sealed record Call(RequestArgs Args, string AccessKey, Pocket Pocket, ExchangeState State)
{
    public DateTimeOffset Now => State.Now;
}

/// <summary>
/// A route: method + exact path, Upbit's rate-limit group (shared/upbit-api.md §4; sent back in
/// Remaining-Req), whether it needs a token, and the handler.
/// </summary>
internal sealed record Endpoint(string Method, string Path, string Group, Func<Call, Answer> Handler)
{
    public bool Public { get; init; }

    public PocketScope Scope { get; init; }

    public static Endpoint Get(string path, Func<Call, Answer> handler, string group = "default") => new("GET", path, group, handler);

    public static Endpoint Post(string path, Func<Call, Answer> handler, string group = "default") => new("POST", path, group, handler);

    public static Endpoint Delete(string path, Func<Call, Answer> handler, string group = "default") => new("DELETE", path, group, handler);
}

/// <summary>All routes of the stand-in. An unknown method+path is 404 not_found before any token check.</summary>
internal sealed class EndpointTable
{
    private readonly Dictionary<(string, string), Endpoint> _routes = [];

    public EndpointTable()
    {
        foreach (var e in PublicEndpoints.All().Concat(AccountEndpoints.All()).Concat(OrderEndpoints.All())
                     .Concat(OrderQueryEndpoints.All()).Concat(CancelEndpoints.All()).Concat(WithdrawEndpoints.All())
                     .Concat(DepositEndpoints.All()).Concat(PocketEndpoints.All()).Concat(TravelRuleEndpoints.All()))
        {
            _routes.Add((e.Method, e.Path), e);
        }
    }

    public Endpoint? Find(string method, string path) => _routes.GetValueOrDefault((method.ToUpperInvariant(), path));
}
