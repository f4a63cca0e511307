using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// Withdrawals. POST /v1/withdraws/coin (currency, net_type, amount, address on the allowlist,
/// secondary_address, transaction_type default|internal) and POST /v1/withdraws/krw (amount,
/// two_factor_type kakao|naver|hana) answer 201 with the withdraw object (docs "디지털 자산 출금":
/// type, uuid, currency, net_type, txid, state, created_at, done_at, amount, fee, transaction_type,
/// is_cancelable; ccxt parseTransaction). The amount plus fee is locked until DONE or CANCELLED.
/// GET /v1/withdraws, GET /v1/withdraw (uuid or txid; none → latest), DELETE /v1/withdraws/coin (uuid,
/// while is_cancelable), GET /v1/withdraws/chance, GET /v1/withdraws/coin_addresses.
/// </summary>
internal static class WithdrawEndpoints
{
    public static IEnumerable<Endpoint> All() =>
    [
        Endpoint.Post("/v1/withdraws/coin", Coin) with { Scope = PocketScope.MainOnly },
        Endpoint.Post("/v1/withdraws/krw", Krw) with { Scope = PocketScope.MainOnly },
        Endpoint.Get("/v1/withdraws", List),
        Endpoint.Get("/v1/withdraw", c => Answer.Ok(Json(Find(c)))),
        Endpoint.Delete("/v1/withdraws/coin", Cancel) with { Scope = PocketScope.MainOnly },
        Endpoint.Get("/v1/withdraws/chance", Chance),
        Endpoint.Get("/v1/withdraws/coin_addresses", Addresses),
    ];

    public static decimal FeeOf(string currency) => currency switch
    {
        "KRW" => 1000m,
        "BTC" => 0.0002m,
        "ETH" => 0.003m,
        "XRP" => 0.4m,
        _ => 1m,
    };

    private static Answer Coin(Call c)
    {
        var a = c.Args;
        var currency = a.Required("currency");
        var netType = a.Required("net_type");
        var amount = a.RequiredPositive("amount");
        var address = a.Required("address");
        var secondary = a.Get("secondary_address");
        var type = a.OneOf("transaction_type", "default", "internal") ?? "default";
        if (!c.State.WithdrawAddresses.Any(w => w.Currency == currency && w.NetType == netType && w.Address == address && w.SecondaryAddress == secondary))
        {
            throw UpbitRejection.BadRequest(UpbitErrorNames.WithdrawAddressNotRegistered,
                $"{currency}/{netType} address '{address}' is not on the withdrawal allowlist; register it (StandInOptions.WithdrawAddresses) and list it with GET /v1/withdraws/coin_addresses");
        }

        return Answer.Created(Json(Start(c, currency, netType, amount, type)));
    }

    private static Answer Krw(Call c)
    {
        var amount = c.Args.RequiredPositive("amount");
        if (c.Args.OneOf("two_factor_type", "kakao", "naver", "hana") is null)
        {
            throw UpbitRejection.Missing("two_factor_type");
        }

        return Answer.Created(Json(Start(c, "KRW", null, amount, "default")));
    }

    private static Withdrawal Start(Call c, string currency, string? netType, decimal amount, string type)
    {
        var fee = type == "internal" ? 0 : FeeOf(currency);
        if (!c.Pocket.TryLock(currency, amount + fee))
        {
            throw new UpbitRejection(400, UpbitErrorNames.InsufficientFunds, $"출금가능한 금액({currency})이 부족합니다.",
                $"withdrawing {Wire.Num(amount)} {currency} needs {Wire.Num(amount + fee)} with the fee; {Wire.Num(c.Pocket[currency].Balance)} available");
        }

        var w = new Withdrawal
        {
            Uuid = c.State.NewUuid(),
            PocketUuid = c.Pocket.Uuid,
            Currency = currency,
            NetType = netType,
            Amount = amount,
            Fee = fee,
            TransactionType = type,
            CreatedAt = c.Now,
        };
        c.State.Withdrawals.Add(w);
        c.State.PublishAssets(c.Pocket, currency);
        return w;
    }

    private static Answer Cancel(Call c)
    {
        var w = Find(c, required: true);
        if (!w.IsCancelable)
        {
            throw UpbitRejection.Validation($"withdrawal {w.Uuid} is {w.State}; only WAITING withdrawals can be cancelled");
        }

        w.State = "CANCELLED";
        w.DoneAt = c.Now;
        c.Pocket.Unlock(w.Currency, w.Amount + w.Fee);
        c.State.PublishAssets(c.Pocket, w.Currency);
        return Answer.Ok(Json(w));
    }

    private static Answer List(Call c)
    {
        var currency = c.Args.Get("currency");
        var state = c.Args.Get("state");
        var uuids = c.Args.All("uuids[]");
        var txids = c.Args.All("txids[]");
        var limit = c.Args.Int("limit", 100, 1, 100);
        var page = c.Args.Int("page", 1, 1, int.MaxValue);
        var found = c.State.Withdrawals.Where(w =>
            (currency is null || w.Currency == currency) && (state is null || string.Equals(w.State, state, StringComparison.OrdinalIgnoreCase))
            && (uuids.Count == 0 || uuids.Contains(w.Uuid)) && (txids.Count == 0 || (w.Txid is not null && txids.Contains(w.Txid))));
        var ordered = c.Args.Ascending() ? found : found.Reverse();
        return Answer.Ok(new JsonArray([.. ordered.Skip((page - 1) * limit).Take(limit).Select(w => (JsonNode)Json(w))]));
    }

    private static Withdrawal Find(Call c, bool required = false)
    {
        var uuid = c.Args.Get("uuid");
        var txid = c.Args.Get("txid");
        if (uuid is null && txid is null)
        {
            return required ? throw UpbitRejection.Missing("uuid")
                : c.State.Withdrawals.LastOrDefault() ?? throw UpbitRejection.NotFound("there are no withdrawals yet");
        }

        return c.State.Withdrawals.FirstOrDefault(w => uuid is not null ? w.Uuid == uuid : w.Txid == txid)
            ?? throw UpbitRejection.NotFound($"no withdrawal with {(uuid is not null ? $"uuid '{uuid}'" : $"txid '{txid}'")}; list them with GET /v1/withdraws");
    }

    public static JsonObject Json(Withdrawal w) => new()
    {
        ["type"] = "withdraw",
        ["uuid"] = w.Uuid,
        ["currency"] = w.Currency,
        ["net_type"] = w.NetType,
        ["txid"] = w.Txid,
        ["state"] = w.State,
        ["created_at"] = Wire.Time(w.CreatedAt),
        ["done_at"] = Wire.Time(w.DoneAt),
        ["amount"] = Wire.Num(w.Amount),
        ["fee"] = Wire.Num(w.Fee),
        ["transaction_type"] = w.TransactionType,
        ["is_cancelable"] = w.IsCancelable,
    };

    private static Answer Chance(Call c)
    {
        var currency = c.Args.Required("currency");
        if (currency != "KRW")
        {
            c.Args.Required("net_type");
        }

        var h = c.Pocket[currency];
        var fee = Wire.Num(FeeOf(currency));
        return Answer.Ok(new JsonObject
        {
            ["member_level"] = new JsonObject
            {
                ["security_level"] = 4,
                ["fee_level"] = 0,
                ["email_verified"] = true,
                ["identity_auth_verified"] = true,
                ["bank_account_verified"] = true,
                ["two_factor_auth_verified"] = true,
                ["locked"] = false,
                ["wallet_locked"] = false,
            },
            ["currency"] = new JsonObject
            {
                ["code"] = currency,
                ["withdraw_fee"] = fee,
                ["is_coin"] = currency != "KRW",
                ["wallet_state"] = "working",
                ["wallet_support"] = new JsonArray("deposit", "withdraw"),
            },
            ["account"] = AccountEndpoints.Account(currency, h),
            ["withdraw_limit"] = new JsonObject
            {
                ["currency"] = currency,
                ["minimum"] = currency == "KRW" ? "5000" : "0.0001",
                ["onetime"] = null,
                ["daily"] = null,
                ["remaining_daily"] = null,
                ["remaining_daily_krw"] = "1000000000",
                ["fixed"] = currency == "KRW" ? 0 : 8,
                ["can_withdraw"] = true,
            },
        });
    }

    private static Answer Addresses(Call c) =>
        Answer.Ok(new JsonArray([.. c.State.WithdrawAddresses.Select(w => (JsonNode)new JsonObject
        {
            ["currency"] = w.Currency,
            ["net_type"] = w.NetType,
            ["network_name"] = w.NetType,
            ["withdraw_address"] = w.Address,
            ["secondary_address"] = w.SecondaryAddress,
        })]));
}
