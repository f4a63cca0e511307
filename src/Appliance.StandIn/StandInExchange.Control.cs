namespace Appliance.StandIn;

/// <summary>A currency held in a pocket: orderable and tied up.</summary>
public sealed record StandInHolding(decimal Balance, decimal Locked);

/// <summary>
/// Test and demo controls: what a test needs to arrange or observe beyond the API (a counterparty
/// filling a resting order, a coin deposit arriving, a withdrawal completing on chain).
/// </summary>
public sealed partial class StandInExchange
{
    /// <summary>The main (or sub-) pocket's holdings, currency → (balance, locked).</summary>
    public IReadOnlyDictionary<string, StandInHolding> Holdings(bool subPocket = false)
    {
        lock (_state.Gate)
        {
            var pocket = subPocket ? _state.Sub : _state.Main;
            return pocket.Holdings.ToDictionary(h => h.Key, h => new StandInHolding(h.Value.Balance, h.Value.Locked), StringComparer.Ordinal);
        }
    }

    /// <summary>Sets a currency's orderable balance (a myAsset event follows).</summary>
    public void SetBalance(string currency, decimal balance, bool subPocket = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(currency);
        ArgumentOutOfRangeException.ThrowIfNegative(balance);
        lock (_state.Gate)
        {
            var pocket = subPocket ? _state.Sub : _state.Main;
            pocket[currency].Balance = balance;
            _state.PublishAssets(pocket, currency);
        }
    }

    /// <summary>The uuids of both pockets (main first), as GET /v1/pockets lists them.</summary>
    public (string Main, string Sub) PocketUuids => (_state.Main.Uuid, _state.Sub.Uuid);

    /// <summary>An order's state (wait, done, cancel) by uuid, or null if the stand-in has no such order.</summary>
    public string? OrderState(string uuid)
    {
        lock (_state.Gate)
        {
            return _state.OrdersByUuid.GetValueOrDefault(uuid)?.State;
        }
    }

    /// <summary>Fills what remains of a resting limit order at its price: myOrder trade + done and myAsset events follow.</summary>
    public void FillOrder(string uuid)
    {
        lock (_state.Gate)
        {
            var order = _state.OrdersByUuid.GetValueOrDefault(uuid)
                ?? throw new ArgumentException($"The stand-in has no order '{uuid}'; use the uuid POST /v1/orders answered.", nameof(uuid));
            Matching.FillResting(_state, order);
        }
    }

    /// <summary>
    /// A coin deposit arrives in the main pocket. ACCEPTED credits the balance at once; TRAVEL_RULE_SUSPECTED
    /// waits for POST /v1/travel_rule/deposit/uuid|txid. Returns (uuid, txid).
    /// </summary>
    public (string Uuid, string Txid) AddDeposit(string currency, string netType, decimal amount, bool travelRuleSuspected = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(currency);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        lock (_state.Gate)
        {
            var deposit = new Deposit
            {
                Uuid = _state.NewUuid(),
                Currency = currency,
                NetType = netType,
                Txid = "standin-" + _state.NewUuid().Replace("-", "", StringComparison.Ordinal),
                Amount = amount,
                CreatedAt = _state.Now,
                State = travelRuleSuspected ? "TRAVEL_RULE_SUSPECTED" : "ACCEPTED",
            };
            if (!travelRuleSuspected)
            {
                deposit.DoneAt = _state.Now;
                _state.Main[currency].Balance += amount;
                _state.PublishAssets(_state.Main, currency);
            }

            _state.Deposits.Add(deposit);
            return (deposit.Uuid, deposit.Txid);
        }
    }

    /// <summary>A withdrawal leaves: state DONE with a txid, its locked amount and fee are gone.</summary>
    public void CompleteWithdrawal(string uuid)
    {
        lock (_state.Gate)
        {
            var w = _state.Withdrawals.FirstOrDefault(x => x.Uuid == uuid)
                ?? throw new ArgumentException($"The stand-in has no withdrawal '{uuid}'; use the uuid POST /v1/withdraws/coin answered.", nameof(uuid));
            if (w.State != "WAITING")
            {
                throw new InvalidOperationException($"Withdrawal {uuid} is {w.State}; only a WAITING withdrawal can complete.");
            }

            var pocket = _state.PocketByUuid(w.PocketUuid)!;
            pocket[w.Currency].Locked -= w.Amount + w.Fee;
            w.State = "DONE";
            w.Txid = "standin-" + _state.NewUuid().Replace("-", "", StringComparison.Ordinal);
            w.DoneAt = _state.Now;
            _state.PublishAssets(pocket, w.Currency);
        }
    }
}
