using System.CommandLine;
using MessagePack;

namespace Mq.Broker.Hosting;

/// <summary>
/// <c>Mq.Broker streams</c> and <c>Mq.Broker stream info|create|purge|delete NAME</c>: the <c>$SYS.stream.</c> requests
/// (docs/protocol.md §8.8) from the command line, as an ordinary peer, printed like the other queries.
/// </summary>
internal static class StreamCommands
{
    public static IEnumerable<Command> Create()
    {
        var listOptions = Shared();
        Command list = listOptions.Command("streams", "List a running broker's streams ($SYS.stream.list) as a table");
        list.SetAction((parse, ct) => RunAsync(parse, listOptions, "streams", "$SYS.stream.list", [], ct));
        yield return list;

        var stream = new Command("stream", "Create, inspect, purge or delete one stream of a running broker (needs the admin right under a policy)");
        foreach ((string verb, string description) in new[]
        {
            ("info", "Print a stream's settings and state"),
            ("purge", "Remove every message of a stream (its sequences go on)"),
            ("delete", "Delete a stream and its files (one in the broker's configuration comes back empty at its next start)"),
        })
        {
            var options = Shared();
            var name = new Argument<string>("name") { Description = "The stream" };
            Command command = options.Command(verb, description);
            command.Arguments.Add(name);
            command.SetAction((parse, ct) => RunAsync(parse, options, verb, $"$SYS.stream.{verb}", new() { ["name"] = parse.GetValue(name) }, ct));
            stream.Subcommands.Add(command);
        }

        stream.Subcommands.Add(CreateCommand());
        yield return stream;
    }

    private static Command CreateCommand()
    {
        var options = Shared();
        var name = new Argument<string>("name") { Description = "The stream: letters, digits, '-' and '_'" };
        var subjects = new Option<string[]>("--subject") { Description = "A subject pattern it captures (repeatable)", Required = true };
        var maxMessages = new Option<long?>("--max-messages") { Description = "Keep at most this many messages" };
        var maxBytes = new Option<long?>("--max-bytes") { Description = "Keep at most this many bytes" };
        var maxAge = new Option<TimeSpan?>("--max-age") { Description = "Drop messages older than this (hh:mm:ss or d.hh:mm:ss)" };
        var discard = new Option<string>("--discard") { Description = "At a limit: drop the oldest (old) or refuse new messages (new)", DefaultValueFactory = _ => "old" };
        discard.AcceptOnlyFromAmong("old", "new");
        var storage = new Option<string>("--storage") { Description = "file (survives restarts) or memory", DefaultValueFactory = _ => "file" };
        storage.AcceptOnlyFromAmong("file", "memory");
        var fsync = new Option<int?>("--fsync-every-ms") { Description = "fsync at most this long after acknowledging (default: before each acknowledgement)" };
        Command command = options.Command("create", "Create a stream capturing the subjects (the same settings again is not an error)");
        command.Arguments.Add(name);
        command.Options.Add(subjects);
        command.Options.Add(maxMessages);
        command.Options.Add(maxBytes);
        command.Options.Add(maxAge);
        command.Options.Add(discard);
        command.Options.Add(storage);
        command.Options.Add(fsync);
        command.SetAction((parse, ct) => RunAsync(parse, options, "create", "$SYS.stream.create", new()
        {
            ["name"] = parse.GetValue(name),
            ["subjects"] = parse.GetValue(subjects),
            ["max_messages"] = parse.GetValue(maxMessages),
            ["max_bytes"] = parse.GetValue(maxBytes),
            ["max_age_ms"] = parse.GetValue(maxAge) is { } age ? (long)age.TotalMilliseconds : null,
            ["discard"] = parse.GetValue(discard),
            ["storage"] = parse.GetValue(storage),
            ["fsync_every_ms"] = parse.GetValue(fsync),
        }, ct));
        return command;
    }

    private static SystemCommandOptions Shared() => new("Seconds to wait for the broker and for its answer", 5);

    private static async Task<int> RunAsync(ParseResult parse, SystemCommandOptions options, string command, string service, Dictionary<string, object?> args, CancellationToken cancellationToken)
    {
        TimeSpan wait = TimeSpan.FromSeconds(parse.GetValue(options.Timeout)!.Value);
        try
        {
            // Keys left unset are not sent: the broker's defaults apply.
            Dictionary<string, object?> sent = args.Where(a => a.Value is not null).ToDictionary();
            return await SystemQuery.RunAsync(command, service, MessagePackSerializer.Serialize(sent, cancellationToken: cancellationToken), options.ClientOptions(parse, $"mq-broker-stream-{command}", wait),
                parse.GetValue(options.Json), Console.Out, Console.Error, cancellationToken);
        }
        catch (Mq.Security.KeyFileException ex)
        {
            await Console.Error.WriteLineAsync($"Mq broker {command}: {ex.Message}");
            return BrokerProgram.BadArguments;
        }
    }
}
