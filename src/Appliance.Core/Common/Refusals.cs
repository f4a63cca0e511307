namespace Appliance.Common;

/// <summary>
/// Every refusal the appliance gives a bot: its status, its stable reason code and the sentence that
/// names the fix, in one place. Reason codes are added, never renamed: bots match on them.
/// Arguments that come from the bot are passed through <see cref="Echo"/> so a message never carries
/// control characters or an unbounded value.
/// </summary>
public static partial class Refusals
{
    /// <summary>google.rpc.ErrorInfo.domain of every refusal.</summary>
    public const string Domain = "appliance.v1";

    // --- UNAUTHENTICATED: who is calling -------------------------------------------------------

    public static SignRefusal NoClientCertificate() => Unauthenticated(Reasons.NoClientCertificate,
        "No client certificate was presented; connect with the bot.pem and bot.key from 'appliance bots add'.");

    public static SignRefusal UnknownBot() => Unauthenticated(Reasons.UnknownBot,
        "This client certificate belongs to no bot on this appliance; use a bundle written by 'appliance bots add'.");

    public static SignRefusal BotRevoked(string bot) => Unauthenticated(Reasons.BotRevoked,
        $"Bot '{bot}' was revoked; ask the operator for a new bundle ('appliance bots renew {bot}').");

    public static SignRefusal CertificateOutsideValidity(string bot) => Unauthenticated(Reasons.BotRevoked,
        $"Bot '{bot}''s certificate is outside its validity period; renew it with 'appliance bots renew {bot}'.");

    // --- INVALID_ARGUMENT: the request is malformed --------------------------------------------

    public static SignRefusal UnknownEndpoint(string method, string path) => Invalid(Reasons.UnknownEndpoint,
        $"'{Echo(method)} {Echo(path)}' is not a private Upbit endpoint the appliance sends; "
        + "use one of GET, POST, DELETE with a documented path including /v1 and without a query string, e.g. GET /v1/accounts.");

    public static SignRefusal MalformedParamName(string key, string endpoint, string accepted) => Invalid(Reasons.UnknownParam,
        $"Parameter name '{Echo(key)}' is malformed; use lowercase letters and '_' with an optional '[]' suffix, one of those accepted by {endpoint}: {accepted}.");

    public static SignRefusal UnknownParam(string key, string endpoint, string accepted) => Invalid(Reasons.UnknownParam,
        $"Parameter '{Echo(key)}' is not accepted by {endpoint}; accepted: {accepted}.");

    public static SignRefusal DuplicateParam(string key, string endpoint, bool commaList) => Invalid(Reasons.DuplicateParam,
        $"Parameter '{key}' appears more than once in {endpoint}; send it once{(commaList ? " with its items joined by commas" : "")}.");

    public static SignRefusal TooManyRepeats(string key, int max) => Invalid(Reasons.TooManyValues,
        $"Parameter '{key}' is repeated more than {max} times; split the request into smaller ones.");

    public static SignRefusal TooManyItems(string key, int max) => Invalid(Reasons.TooManyValues,
        $"Parameter '{key}' lists more than {max} items; send fewer.");

    public static SignRefusal TooManyParams(int max) => Invalid(Reasons.TooManyValues,
        $"The request has more than {max} parameters; split it into smaller requests.");

    public static SignRefusal MissingParam(string key, string where) => Invalid(Reasons.MissingParam,
        $"Parameter '{key}' is required {where}; add it.");

    public static SignRefusal MissingOneOf(string endpoint, string names) => Invalid(Reasons.MissingParam,
        $"{endpoint} needs one of {names}; add one.");

    public static SignRefusal OnlyOneOf(string endpoint, string names) => Invalid(Reasons.BadParamValue,
        $"{endpoint} takes only one of {names}; leave the others out.");

    public static SignRefusal EmptyParam(string key) => Invalid(Reasons.BadParamValue,
        $"Parameter '{key}' is empty; send a value or leave the parameter out.");

    public static SignRefusal ParamTooLong(string key, int max) => Invalid(Reasons.ParamTooLong,
        $"Parameter '{Echo(key)}' is longer than {max} characters; shorten it.");

    public static SignRefusal NotOneOf(string key, IEnumerable<string> allowed) => Invalid(Reasons.BadParamValue,
        $"Parameter '{key}' must be one of {string.Join(", ", allowed)}.");

    public static SignRefusal UnsafeCharacter(string key, string charset) => Invalid(Reasons.BadParamValue,
        $"Parameter '{key}' holds a character outside {charset}; send the plain (not URL-encoded) value using only these characters.");

    public static SignRefusal EmptyListItem(string key) => Invalid(Reasons.BadParamValue,
        $"Parameter '{key}' has an empty item; separate items by single commas with none at the ends.");

    public static SignRefusal BadFormat(string key, string expected) => Invalid(Reasons.BadParamValue,
        $"Parameter '{key}' must be {expected}.");

    public static SignRefusal NotAllowedWith(string key, string context) => Invalid(Reasons.BadParamValue,
        $"Parameter '{key}' is not allowed {context}; leave it out.");

    public static SignRefusal WrongSide(string ordType, string meaning, string expected) => Invalid(Reasons.BadParamValue,
        $"ord_type={ordType} is a {meaning}; send side={expected} or another ord_type.");

    public static SignRefusal BestNeedsIocOrFok(string key, string context) => Invalid(Reasons.BadParamValue,
        $"Parameter '{key}' must be ioc or fok {context}.");

    public static SignRefusal PostOnlyWithSmp(string key, string smpType) => Invalid(Reasons.BadParamValue,
        $"time_in_force=post_only cannot be combined with {key}={Echo(smpType)}; drop smp_type or set it to none.");

    public static SignRefusal NotADecimal(string key) => Invalid(Reasons.BadParamValue,
        $"Parameter '{key}' must be a plain decimal number such as 0.01.");

    public static SignRefusal BadRequestId() => Invalid(Reasons.BadRequestId,
        "request_id must be 1-128 characters of A-Z a-z 0-9 . _ : -; send a fresh UUID with each request.");

    public static SignRefusal MissingClientTime() => Invalid(Reasons.MissingClientTime,
        "client_time is missing; set it to the bot's current UTC time.");

    public static SignRefusal ClockSkew(TimeSpan off, TimeSpan allowed) => Invalid(Reasons.ClockSkew,
        $"client_time is {off.TotalSeconds:0.0} s away from the appliance clock (allowed {allowed.TotalSeconds:0.#} s); sync the bot's clock with NTP.");

    /// <summary>The HTTPS front could not read the request as Upbit takes it.</summary>
    public static SignRefusal MalformedRequest(string what) => Invalid(Reasons.MalformedRequest,
        $"The request could not be read: {what}.");

    public static SignRefusal RequestTooLarge(int maxBytes) => Invalid(Reasons.RequestTooLarge,
        $"The request is larger than {maxBytes / 1024} KiB; Upbit requests are small, so send fewer or shorter parameters.");

    // --- ALREADY_EXISTS: a request_id seen before ----------------------------------------------

    public static SignRefusal ReplayedRequest(string requestId) => new(RefusalKind.AlreadyExists, Reasons.ReplayedRequest,
        $"request_id '{Echo(requestId)}' was already used by this bot; send a fresh unique request_id (a UUID) with every request.");

    public static SignRefusal RequestIdReused(string requestId) => new(RefusalKind.AlreadyExists, Reasons.RequestIdReused,
        $"request_id '{Echo(requestId)}' was already used by this bot for a different request; send a fresh request_id for a new request, or the identical request to get its answer again.");

    public static SignRefusal AlreadySent(string requestId, int status, string auditId) => new(RefusalKind.AlreadyExists, Reasons.AlreadySent,
        $"request_id '{Echo(requestId)}' was already sent (Upbit answered {status}, audit id {auditId}) and its answer is no longer kept; look the result up instead of sending it again.");

    // --- PERMISSION_DENIED: the policy says no -------------------------------------------------

    public static SignRefusal IpNotAllowed(string bot, string peer) => Denied(Reasons.IpNotAllowed,
        $"Bot '{bot}' may not connect from {peer}; add the address with 'bots add --allow-ip' or connect from an allowed host.");

    public static SignRefusal CredentialDenied(string bot, string credential, string own) => Denied(Reasons.CredentialDenied,
        $"Bot '{bot}' may not use credential '{Echo(credential)}'; leave credential empty to use '{own}'.");

    public static SignRefusal ScopeDenied(string what, string scope, string bot) => Denied(Reasons.ScopeDenied,
        $"{what} needs scope '{scope}', which bot '{bot}' does not have; re-add the bot with --scopes including {scope} if it should.");

    public static SignRefusal CredentialScopeMissing(string credential, string scope) => Denied(Reasons.ScopeDenied,
        $"Credential '{credential}' was added without scope '{scope}'; Upbit would answer out_of_scope. Issue a key with that permission and run 'credentials rotate'.");

    public static SignRefusal MarketDenied(string bot, IEnumerable<string> markets, string market) => Denied(Reasons.MarketDenied,
        $"Bot '{bot}' may trade only {string.Join(", ", markets)}; '{Echo(market)}' is not among them.");

    public static SignRefusal CancelAcrossMarkets(string bot) => Denied(Reasons.MarketDenied,
        $"Bot '{bot}' is limited to some markets; name them with pairs= (and no quote_currencies) instead of cancelling across all markets.");

    public static SignRefusal ListingNeedsMarket(string bot, string endpoint) => Denied(Reasons.MarketDenied,
        $"Bot '{bot}' is limited to some markets, so {endpoint} must name one of them with market=.");

    public static SignRefusal OrderVolumeAboveCap(string bot, decimal volume, decimal cap) => Denied(Reasons.OrderLimit,
        $"Order volume {volume} is above bot '{bot}''s cap of {cap}; split the order or raise the cap with 'bots add'.");

    public static SignRefusal OrderNotionalAboveCap(string bot, decimal notional, decimal cap) => Denied(Reasons.OrderLimit,
        $"Order notional {notional} is above bot '{bot}''s cap of {cap}; split the order or raise the cap with 'bots add'.");

    public static SignRefusal NotionalUnknown(string bot, string ordType) => Denied(Reasons.NotionalUnknown,
        $"The notional of a '{ordType}' order is not known before it fills, and bot '{bot}' has no cap that bounds it; give the bot --max-order-notional (or --max-order-volume for a sell) or use a limit order.");

    public static SignRefusal CancelAllNeedsOwnMarkets(string bot) => Denied(Reasons.OrderNotOwned,
        $"DELETE /v1/orders/open cancels by market whoever placed the orders, and bot '{bot}' may cancel only its own; name pairs= within the bot's markets (without quote_currencies), or ask the operator for --all-orders.");

    public static SignRefusal OrderNotOwned(string bot) => Denied(Reasons.OrderNotOwned,
        $"Bot '{bot}' did not place that order (or it was placed before the appliance recorded owners), so it may not see or change it; ask the operator for --all-orders if this bot manages every order.");

    public static SignRefusal WithdrawAddressDenied(string bot, string destination) => Denied(Reasons.WithdrawAddressDenied,
        $"Bot '{bot}' may not withdraw {destination}: that destination is not on its allowlist.");

    public static SignRefusal AddressCoolingOff(string bot, string destination, DateTimeOffset opens) => Denied(Reasons.AddressCoolingOff,
        $"Bot '{bot}' may withdraw {destination} only from {opens.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} UTC: "
        + "the address was added recently and is still in its cooling-off period ('cooling_off' in appliance.json); send it again after that time.");

    public static SignRefusal NoWithdrawAddresses(string bot) => Denied(Reasons.WithdrawAddressDenied,
        $"Bot '{bot}' has no withdrawal addresses; re-add it with --withdraw-address CURRENCY:NET_TYPE:ADDRESS[:SECONDARY] to allow one.");

    public static SignRefusal WithdrawAboveCap(string bot, decimal amount, string currency, decimal cap) => Denied(Reasons.WithdrawLimit,
        $"Withdrawal of {amount} {currency} is above bot '{bot}''s cap of {cap} {currency} per withdrawal; withdraw less or raise the cap with --withdraw-cap.");

    public static SignRefusal WithdrawAbove24h(string bot, decimal used, decimal amount, string currency, decimal cap) => Denied(Reasons.WithdrawLimit,
        $"Bot '{bot}' has withdrawn or is withdrawing {used} {currency} in the last 24 h; {amount} more would pass its 24 h cap of {cap} {currency}. Wait, or raise the cap with --withdraw-cap.");

    public static SignRefusal TransferPocketDenied(string bot, string endpoint, string destination) => Denied(Reasons.TransferPocketDenied,
        $"Bot '{bot}' may not {endpoint} to pocket '{Echo(destination)}': that pocket is not on its allowlist; ask the operator to add it with 'bots add --transfer-pocket'.");

    public static SignRefusal NoTransferPockets(string bot, string endpoint) => Denied(Reasons.TransferPocketDenied,
        $"Bot '{bot}' has no destination pockets, so it may not {endpoint}; re-add it with --transfer-pocket POCKET_UUID to allow one.");

    public static SignRefusal ApprovalRejected(string what) => Denied(Reasons.ApprovalRejected,
        $"The operator rejected {what} on the appliance panel; nothing was sent.");

    public static SignRefusal ApprovalTimedOut(string what, TimeSpan timeout) => Denied(Reasons.ApprovalTimeout,
        $"Nobody approved {what} within {timeout.TotalSeconds:0.#} s; nothing was sent. Ask the operator to watch the panel and send it again.");

    public static SignRefusal DeadlineBeforeApproval(string what, TimeSpan timeout) => Denied(Reasons.ApprovalTimeout,
        $"The call's deadline came before anyone approved {what}; nothing was sent. Give the call a deadline longer than the approval timeout ({timeout.TotalSeconds:0.#} s).");

    public static SignRefusal NoTimeToApprove(TimeSpan timeout) => Denied(Reasons.ApprovalTimeout,
        $"The call's deadline leaves no time for the operator to approve it; give the call a deadline of at least {timeout.TotalSeconds:0.#} s.");

    public static SignRefusal NoTouch(TimeSpan waited) => Denied(Reasons.ApprovalTimeout,
        $"No YubiKey touch within {waited.TotalSeconds:F0} s, so nothing was sent; send the request again and touch the key while it blinks.");

    // Two-step approvals (approval.two_step): the refusal names the step that was missing, refused or timed out.

    public static SignRefusal StepRejected(string what, int step) => Denied(Reasons.ApprovalRejected, step == 1
        ? $"The operator rejected {what} at step 1 of 2 (the approve button) on the appliance panel; nothing was sent."
        : $"The operator rejected {what} at step 2 of 2 (the YubiKey touch): the approve button was pressed, then the reject button; nothing was sent.");

    public static SignRefusal StepTimedOut(string what, int step, TimeSpan timeout) => Denied(Reasons.ApprovalTimeout, step == 1
        ? $"Nobody pressed the approve button for {what} within {timeout.TotalSeconds:0.#} s (step 1 of 2; the YubiKey touch comes after it); nothing was sent. Ask the operator to watch the panel and send it again."
        : $"The approve button was pressed for {what}, but no YubiKey touch came within {timeout.TotalSeconds:0.#} s (step 2 of 2: above the two-step threshold both are needed); nothing was sent. Send it again, press approve, then touch the key while it blinks.");

    public static SignRefusal StepUnavailable(string what) => Precondition(Reasons.ApprovalUnavailable,
        $"{what} is above the two-step threshold: it needs the approve button (step 1 of 2) and a YubiKey touch (step 2 of 2), and this appliance has no approval panel; run it with a panel (--panel gpio or console).");

    // --- FAILED_PRECONDITION: the appliance is not in a state to send --------------------------

    public static SignRefusal KeyAbsent() => Precondition(Reasons.KeyAbsent,
        "The hardware key is not present, so every secret is locked; plug the YubiKey back in.");

    public static SignRefusal Paused() => Precondition(Reasons.Paused,
        "Signing is paused by the operator; resume with a long press or 'appliance resume'.");

    public static SignRefusal Sealed(string credential) => Precondition(Reasons.Sealed,
        $"Credential '{credential}' is sealed (the hardware key was removed or not unlocked); plug in the YubiKey and check the PIN.");

    public static SignRefusal TouchOnly(string credential) => Precondition(Reasons.Sealed,
        $"Credential '{credential}' is unsealed only by a YubiKey touch during an approval; this request needs no approval, so use a credential without --approval touch.");

    public static SignRefusal UnknownCredential(string credential) => Precondition(Reasons.UnknownCredential,
        $"No credential named '{Echo(credential)}' on this appliance; ask the operator to add it with 'appliance credentials add'.");

    public static SignRefusal CredentialExpired(string credential, DateTimeOffset expired) => Precondition(Reasons.CredentialExpired,
        $"Credential '{credential}' expired on {expired:yyyy-MM-dd} (Upbit keys live one year); issue a new key and run 'appliance credentials rotate {credential}'.");

    public static SignRefusal ApprovalUnavailable(string what) => Precondition(Reasons.ApprovalUnavailable,
        $"{what} needs a physical approval and this appliance has no approval panel; run it with a panel (--panel gpio or console).");

    public static SignRefusal ApprovalStopped() => Precondition(Reasons.ApprovalUnavailable,
        "The approval panel stopped while the approval waited; nothing was sent. Send the request again once the appliance runs.");

    public static SignRefusal TokenError() => Precondition(Reasons.TokenError,
        "The YubiKey failed the touch operation at once; check the key, and the appliance log for details.");

    public static SignRefusal DetachedNotAllowed(string bot) => Precondition(Reasons.DetachedNotAllowed,
        $"Bot '{bot}' may not take tokens away (they work at other Upbit endpoints too); call Send, or the HTTPS front, and the appliance sends the request for you.");

    public static SignRefusal DetachedUnsafe(string bot, string why) => Precondition(Reasons.DetachedNotAllowed,
        $"Bot '{bot}' may no longer take detached tokens: {why}; call Send instead, or ask the operator to narrow the credential.");

    // --- RESOURCE_EXHAUSTED ----------------------------------------------------------------------

    public static SignRefusal RateLimited(string what, TimeSpan retryAfter) => new(RefusalKind.ResourceExhausted, Reasons.RateLimited,
        $"{what}; slow down and retry in {Math.Max(0.1, retryAfter.TotalSeconds):0.#} s.") { RetryAfter = retryAfter };

    public static SignRefusal ApprovalQueueFull(string bot, int max) => new(RefusalKind.ResourceExhausted, Reasons.ApprovalQueueFull,
        $"Bot '{bot}' already has {max} requests waiting for approval; wait for the operator to answer them before sending more.");

    // --- UNAVAILABLE -----------------------------------------------------------------------------

    public static SignRefusal AuditUnavailable() => new(RefusalKind.Unavailable, Reasons.AuditUnavailable,
        "The audit log cannot be written, so nothing is sent (fail closed); the operator must free disk space or fix the data disk.");

    public static SignRefusal UpstreamUnavailable() => new(RefusalKind.Unavailable, Reasons.UpstreamUnavailable,
        "Upbit could not be reached, and nothing was sent; retry in a moment.");

    public static SignRefusal OutcomeUnknown(string? identifier) => new(RefusalKind.Unavailable, Reasons.OutcomeUnknown,
        "The request was sent to Upbit but its answer was lost; it is never sent again. "
        + (identifier is null ? "Check its effect with a lookup before retrying." : $"Look the order up by identifier '{identifier}' before retrying."))
    { Identifier = identifier };

    public static SignRefusal UpstreamTooLarge(int maxBytes) => new(RefusalKind.Unavailable, Reasons.UpstreamTooLarge,
        $"Upbit's answer was larger than {maxBytes / (1024 * 1024)} MiB and was dropped; ask for less (a smaller limit or page).");

    public static SignRefusal DeadlineTooShort() => new(RefusalKind.Unavailable, Reasons.DeadlineTooShort,
        "Too little of the call's deadline is left to send the request and wait for Upbit's answer, so nothing was sent; give the call a longer deadline.");

    // --- helpers ---------------------------------------------------------------------------------

    /// <summary>
    /// A value from the bot, fit to quote in a message: printable ASCII only (anything else, and the
    /// quote itself, becomes '?'), at most 128 characters. Keeps injected newlines and escape
    /// sequences out of logs, terminals and HTTP headers.
    /// </summary>
    public static string Echo(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        const int max = 128;
        var shown = value.Length > max ? value[..max] : value;
        var chars = shown.Select(c => c is >= ' ' and <= '~' && c != '\'' ? c : '?').ToArray();
        return new string(chars) + (value.Length > max ? "..." : "");
    }

    private static SignRefusal Invalid(string reason, string message) => new(RefusalKind.InvalidArgument, reason, message);

    private static SignRefusal Denied(string reason, string message) => new(RefusalKind.PermissionDenied, reason, message);

    private static SignRefusal Unauthenticated(string reason, string message) => new(RefusalKind.Unauthenticated, reason, message);

    private static SignRefusal Precondition(string reason, string message) => new(RefusalKind.FailedPrecondition, reason, message);
}
