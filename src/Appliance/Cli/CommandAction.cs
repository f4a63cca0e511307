using System.CommandLine;
using System.Security.Cryptography;
using Grpc.Core;

namespace Appliance.Cli;

/// <summary>
/// Runs a command's action and turns expected failures into one line on stderr that says what to
/// do, instead of a stack trace. Exit codes: 0 ok, 1 failed, 2 bad input.
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, CliIo io, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(parse, cancellationToken);
            }
            catch (ArgumentException e)
            {
                io.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            catch (RpcException e)
            {
                io.Error.WriteLine($"error: {Describe(e)}");
                return 1;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException
                                           or UnauthorizedAccessException or CryptographicException or FormatException)
            {
                io.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });

    public static void Set(Command command, CliIo io, Func<ParseResult, int> action) =>
        Set(command, io, (parse, _) => Task.FromResult(action(parse)));

    /// <summary>Status, reason code and sentence of a refusal, as a bot's operator needs them.</summary>
    public static string Describe(RpcException e)
    {
        var reason = e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason;
        return reason is null ? $"{e.StatusCode}: {e.Status.Detail}" : $"{e.StatusCode} {reason}: {e.Status.Detail}";
    }
}
