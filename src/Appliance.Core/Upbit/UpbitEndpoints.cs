namespace Appliance.Upbit;

/// <summary>
/// The data behind <see cref="EndpointCatalog.Default"/>: Upbit's private REST endpoints as of Upbit's API reference
/// <see cref="EndpointCatalog.UpbitApiVersion"/> (docs.upbit.com developer center, 2026-11; shared/upbit-api.md §3 and
/// §6, notes/ccxt-upbit.md §4 for the pocket and travel-rule pages).
/// Where the sources disagree: the sub-pocket balance is <c>GET /v1/pockets/assets</c> (the reference's OpenAPI paths and
/// samples, ccxt; one diagram says <c>/asset</c>); <c>to</c> of <c>POST /v1/pockets/transfers</c> is required (the schema;
/// the prose says it defaults to the main pocket, but a destination the policy cannot see is not signed).
/// Status filters of withdrawals/deposits are only charset-checked: the docs disagree on their case.
/// </summary>
internal static class UpbitEndpoints
{
    private const int AddressMaxLength = 128;
    private const int TxidMaxLength = 128;
    private const int ListMaxLength = 512;

    public static IEnumerable<Endpoint> Build() =>
    [
        // View assets
        new("GET", "/v1/accounts", Scope.ViewAssets, []),

        // View orders
        new("GET", "/v1/orders/chance", Scope.ViewOrders, [Market(required: true)]),
        new("GET", "/v1/order", Scope.ViewOrders, [Uuid(), Identifier()],
            groups: [ParamGroup.ExactlyOne("uuid", "identifier")]),
        new("GET", "/v1/orders/uuids", Scope.ViewOrders,
            [Market(), ArrayOf("uuids[]", 100), ArrayOf("identifiers[]", 100), OrderBy()],
            groups: [ParamGroup.ExactlyOne("uuids[]", "identifiers[]")]),
        new("GET", "/v1/orders/open", Scope.ViewOrders,
            [Market(), OneOf("state", false, "wait", "watch"), ArrayOf("states[]", 2, "wait", "watch"), Page(), Limit(), OrderBy()],
            groups: [ParamGroup.AtMostOne("state", "states[]")]),
        new("GET", "/v1/orders/closed", Scope.ViewOrders,
            [Market(), OneOf("state", false, "done", "cancel"), ArrayOf("states[]", 2, "done", "cancel"),
             Single("start_time"), Single("end_time"), Limit(), OrderBy()],
            groups: [ParamGroup.AtMostOne("state", "states[]")]),

        // Make orders
        new("POST", "/v1/orders", Scope.Trade, OrderParams(), RateGroup.Order),
        new("POST", "/v1/orders/test", Scope.TradeTest, OrderParams(), RateGroup.OrderTest),
        new("DELETE", "/v1/order", Scope.Trade, [Uuid(), Identifier()],
            groups: [ParamGroup.ExactlyOne("uuid", "identifier")]),
        new("DELETE", "/v1/orders/uuids", Scope.Trade, [ArrayOf("uuids[]", 20), ArrayOf("identifiers[]", 20)],
            groups: [ParamGroup.ExactlyOne("uuids[]", "identifiers[]")]),
        new("DELETE", "/v1/orders/open", Scope.Trade,
            [OneOf("cancel_side", false, "all", "ask", "bid"), Comma("pairs", 20), Comma("excluded_pairs", 20),
             Comma("quote_currencies", 10), Single("count", format: ValueFormat.Integer, maxLength: 4), OrderBy()],
            RateGroup.OrderCancelAll),
        new("POST", "/v1/orders/cancel_and_new", Scope.Trade,
            [Single("prev_order_uuid"), Single("prev_order_identifier"), OneOf("new_ord_type", true, OrdTypes),
             new ParamSpec("new_volume", format: ValueFormat.Decimal, allowedValues: ["remain_only"]),
             Single("new_price", format: ValueFormat.Decimal), Single("new_identifier"),
             OneOf("new_time_in_force", false, TimeInForces), OneOf("new_smp_type", false, SmpTypes)],
            RateGroup.Order,
            groups: [ParamGroup.ExactlyOne("prev_order_uuid", "prev_order_identifier")]),

        // View withdrawals
        new("GET", "/v1/withdraws", Scope.ViewWithdrawals, TransferListParams()),
        // Without uuid or txid Upbit answers the latest withdrawal (official upbit-cli).
        new("GET", "/v1/withdraw", Scope.ViewWithdrawals, [Uuid(), Txid(), Currency()]),
        // net_type is "only for digital assets": KRW takes none (CurrencyRules requires it for every other currency).
        new("GET", "/v1/withdraws/chance", Scope.ViewWithdrawals, [Currency(required: true), NetType()]),
        new("GET", "/v1/withdraws/coin_addresses", Scope.ViewWithdrawals, []),

        // Withdraw
        new("POST", "/v1/withdraws/coin", Scope.Withdraw,
            [Currency(required: true), NetType(required: true), Amount(),
             Single("address", required: true, maxLength: AddressMaxLength),
             Single("secondary_address", maxLength: AddressMaxLength),
             OneOf("transaction_type", false, "default", "internal")],
            isWithdrawal: true),
        // Cancelling a pending withdrawal moves no money, so it is not a withdrawal.
        new("DELETE", "/v1/withdraws/coin", Scope.Withdraw, [Uuid(required: true)]),
        new("POST", "/v1/withdraws/krw", Scope.Withdraw, [Amount(), TwoFactorType()], isWithdrawal: true),

        // View deposits
        new("GET", "/v1/deposits", Scope.ViewDeposits, TransferListParams()),
        // Without uuid or txid Upbit answers the latest deposit.
        new("GET", "/v1/deposit", Scope.ViewDeposits, [Uuid(), Txid(), Currency()]),
        new("GET", "/v1/deposits/chance/coin", Scope.ViewDeposits, [Currency(required: true), NetType(required: true)]),
        new("GET", "/v1/deposits/coin_addresses", Scope.ViewDeposits, []),
        new("GET", "/v1/deposits/coin_address", Scope.ViewDeposits, [Currency(required: true), NetType(required: true)]),
        new("GET", "/v1/travel_rule/vasps", Scope.ViewDeposits, []),

        // Deposit. generate_coin_address: the endpoint page says 입금하기 (deposit), the auth table says
        // 입금조회 (view-deposits); it creates state, so it takes the stricter scope.
        new("POST", "/v1/deposits/generate_coin_address", Scope.Deposit, [Currency(required: true), NetType(required: true)]),
        new("POST", "/v1/deposits/krw", Scope.Deposit, [Amount(), TwoFactorType()]),
        new("POST", "/v1/travel_rule/deposit/uuid", Scope.Deposit,
            [Single("deposit_uuid", required: true), Single("vasp_uuid", required: true)]),
        new("POST", "/v1/travel_rule/deposit/txid", Scope.Deposit,
            [Single("vasp_uuid", required: true), Txid(required: true), Currency(required: true), NetType(required: true)]),

        // Pocket management (main pocket only). universal_transfers moves assets between any two pockets.
        new("GET", "/v1/pockets", Scope.PocketManage, []),
        new("GET", "/v1/pockets/api_keys", Scope.PocketManage,
            [ArrayOf("uuids[]", 100), OneOf("include_expired", false, "true", "false")]),
        new("GET", "/v1/pockets/assets", Scope.PocketManage, [Uuid(required: true)]),
        new("POST", "/v1/pockets/universal_transfers", Scope.PocketManage,
            [Single("from"), Single("to", required: true), Currency(required: true), Amount(), Identifier()],
            movesAssets: true),
        new("GET", "/v1/pockets/universal_transfers", Scope.PocketManage,
            [Single("from"), Single("to"), .. PocketTransferListParams()]),

        // Asset transfer (a sub-pocket's own transfers).
        new("POST", "/v1/pockets/transfers", Scope.AssetTransfer,
            [Single("to", required: true), Currency(required: true), Amount(), Identifier()],
            movesAssets: true),
        new("GET", "/v1/pockets/transfers", Scope.AssetTransfer,
            [OneOf("direction", false, "in", "out", "all"), .. PocketTransferListParams()]),

        // No permission group
        new("GET", "/v1/status/wallet", Scope.AuthOnly, []),
        new("GET", "/v1/api_keys", Scope.AuthOnly, []),
    ];

    private static readonly string[] OrdTypes = ["limit", "price", "market", "best"];
    private static readonly string[] TimeInForces = ["ioc", "fok", "post_only"];
    private static readonly string[] SmpTypes = ["cancel_maker", "cancel_taker", "reduce", "none"];

    private static ParamSpec[] OrderParams() =>
    [
        Market(required: true),
        OneOf("side", true, "bid", "ask"),
        Single("volume", format: ValueFormat.Decimal),
        Single("price", format: ValueFormat.Decimal),
        OneOf("ord_type", true, OrdTypes),
        Identifier(),
        OneOf("time_in_force", false, TimeInForces),
        OneOf("smp_type", false, SmpTypes),
    ];

    private static ParamSpec[] TransferListParams() =>
    [
        Currency(), Single("state", maxLength: 32), ArrayOf("uuids[]", 100), ArrayOf("txids[]", 100, maxLength: TxidMaxLength),
        Limit(), Page(), OrderBy(), Single("from"), Single("to"),
    ];

    private static ParamSpec[] PocketTransferListParams() =>
    [
        ArrayOf("states[]", 4, "submitted", "processing", "done", "failed"), ArrayOf("uuids[]", 100), ArrayOf("identifiers[]", 100),
        Single("start_time"), Single("end_time"), Currency(), Limit(), OrderBy(),
    ];

    private static ParamSpec Single(string name, bool required = false, ValueFormat format = ValueFormat.Safe,
        int maxLength = ParamSpec.DefaultMaxLength) => new(name, required, ParamKind.Single, format, maxLength);

    private static ParamSpec OneOf(string name, bool required, params string[] values) =>
        new(name, required, ParamKind.Single, ValueFormat.OneOf, allowedValues: values);

    private static ParamSpec ArrayOf(string name, int maxCount, params string[] values) =>
        new(name, kind: ParamKind.Array, format: values.Length > 0 ? ValueFormat.OneOf : ValueFormat.Safe,
            maxCount: maxCount, allowedValues: values);

    private static ParamSpec ArrayOf(string name, int maxCount, int maxLength) =>
        new(name, kind: ParamKind.Array, maxLength: maxLength, maxCount: maxCount);

    private static ParamSpec Comma(string name, int maxItems) =>
        new(name, kind: ParamKind.CommaList, maxLength: ListMaxLength, maxCount: maxItems);

    private static ParamSpec Market(bool required = false) => Single("market", required, maxLength: 32);

    private static ParamSpec Uuid(bool required = false) => Single("uuid", required);

    private static ParamSpec Identifier() => Single("identifier");

    private static ParamSpec Txid(bool required = false) => Single("txid", required, maxLength: TxidMaxLength);

    private static ParamSpec Currency(bool required = false) => Single("currency", required, maxLength: 32);

    private static ParamSpec NetType(bool required = false) => Single("net_type", required, maxLength: 32);

    private static ParamSpec Amount() => Single("amount", required: true, format: ValueFormat.Decimal, maxLength: 40);

    private static ParamSpec TwoFactorType() => OneOf("two_factor_type", true, "kakao", "naver", "hana");

    private static ParamSpec Page() => Single("page", format: ValueFormat.Integer, maxLength: 6);

    private static ParamSpec Limit() => Single("limit", format: ValueFormat.Integer, maxLength: 4);

    private static ParamSpec OrderBy() => OneOf("order_by", false, "asc", "desc");
}
