using Mq.Errors;

namespace Mq.CommandLine;

/// <summary>
/// Runs a command's body and turns every expected failure into one line on stderr and a documented exit code:
/// a user mistake or an unreachable broker never shows a stack trace.
/// </summary>
internal static class CliAction
{
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: a requested stop is a clean stop.
            return ExitCodes.Success;
        }
        catch (MqException error)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}");
            return ExitCodes.For(error);
        }
        catch (UsageException error)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}");
            return ExitCodes.Usage;
        }
        catch (BadPayloadException error)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}");
            return ExitCodes.BadPayload;
        }
    }
}
