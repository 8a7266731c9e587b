using Mq.Errors;

namespace Mq.CommandLine;

/// <summary>
/// Runs a command's body and turns every expected failure into one line on stderr and a documented exit code:
/// a user mistake or an unreachable broker never shows a stack trace. Unexpected exceptions (bugs) still do.
/// </summary>
internal static class CliAction
{
    /// <param name="body">The command; gets the token that Ctrl+C and SIGTERM cancel.</param>
    /// <param name="cancellationToken">The token System.CommandLine passes to the action.</param>
    /// <param name="signalEndsNormally">
    /// True for commands that run until stopped (subscribe, serve): a signal is their normal end, exit 0.
    /// False for finite ones (publish, request): a signal leaves the work undone, exit <see cref="ExitCodes.Interrupted"/>.
    /// </param>
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken, bool signalEndsNormally = false)
    {
        try
        {
            return await body(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (signalEndsNormally)
            {
                return ExitCodes.Success;
            }

            await Console.Error.WriteLineAsync("error: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (MqException error)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}");
            return ExitCodes.For(error);
        }
        catch (BadPayloadException error)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}");
            return ExitCodes.BadPayload;
        }
    }
}
