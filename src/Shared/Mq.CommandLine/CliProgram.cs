using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Mq.CommandLine;

/// <summary>The entry point both peers share: parsing, one-line usage errors, and how signals are handled.</summary>
internal static class CliProgram
{
    /// <summary>
    /// After Ctrl+C or SIGTERM, how long a one-shot command may take to finish cleanly (disposing its client
    /// drains within 5 s) before System.CommandLine ends the process anyway.
    /// </summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    public static Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        // Before any socket exists: the runtime reads this once (see InlineSocketCompletions for why it pays).
        Hosting.InlineSocketCompletions.Enable();

        // No response files: "@path" is how --broker-key names a key file, and the parser would otherwise read it as arguments.
        ParseResult parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction)
        {
            // One line per mistake instead of the mistake and the whole help text; some messages put each choice
            // on a line of its own, so whitespace is folded.
            foreach (ParseError error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {string.Join(' ', error.Message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))} (see --help)");
            }

            return Task.FromResult(ExitCodes.Usage);
        }

        // A host handles SIGTERM and Ctrl+C itself (graceful stop); the one-shot commands get the action's token.
        bool hosted = parse.CommandResult.Command.Name == DemoHost.CommandName;
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = hosted ? null : StopTimeout };
        return parse.InvokeAsync(configuration);
    }
}
