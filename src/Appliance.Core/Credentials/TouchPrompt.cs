using Appliance.Upbit;
using Microsoft.Extensions.Logging;

namespace Appliance.Credentials;

/// <summary>What the operator is asked to approve with a touch: shown in full (a withdrawal's currency, amount, address).</summary>
public sealed record TouchPromptInfo(string Bot, string Credential, string Method, string Path, IReadOnlyList<UpbitParam> Params)
{
    public string Describe() => $"{Method} {Path}" + (Params.Count == 0 ? "" : " " + string.Join(' ', Params.Select(p => $"{p.Key}={p.Value}")));
}

/// <summary>
/// Tells the operator that the YubiKey waits for a touch (panel: amber LED and display; log otherwise).
/// The prompt lasts until the returned handle is disposed.
/// </summary>
public interface ITouchPrompt
{
    IDisposable Begin(TouchPromptInfo info);
}

/// <summary>The prompt when no panel is wired: one log line when the wait starts and one when it ends.</summary>
public sealed class LogTouchPrompt(ILogger<LogTouchPrompt> logger) : ITouchPrompt
{
    public IDisposable Begin(TouchPromptInfo info)
    {
        logger.LogWarning("Touch the YubiKey to approve {Request} for bot {Bot} with credential {Credential}",
            info.Describe(), info.Bot, info.Credential);
        return new Ended(() => logger.LogInformation("Touch wait for bot {Bot} ended", info.Bot));
    }

    private sealed class Ended(Action action) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) action();
        }
    }
}
