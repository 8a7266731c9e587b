using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MessagePack;
using Mq.Client;

namespace Mq.Broker.Hosting;

/// <summary>
/// <c>Mq.Broker kv add|info|ls|rm</c> (the <c>$SYS.kv.</c> admin requests, printed like the other queries) and
/// <c>kv put|get|del|purge|keys|history|watch</c> (a bucket's values, through <see cref="MqKeyValue"/>), as an ordinary
/// peer of a running broker: a policy's rights apply (docs/protocol.md §8.9). Values are UTF-8 text on the command line.
/// </summary>
internal static class KeyValueCommands
{
    public static Command Create()
    {
        var kv = new Command("kv", "Key-value buckets of a running broker: create and inspect them (admin), put, get, delete, list and watch keys");
        kv.Subcommands.Add(AddCommand());
        kv.Subcommands.Add(Admin("info", "Print a bucket's settings and state", "$SYS.kv.info", bucket: true));
        kv.Subcommands.Add(Admin("ls", "List the buckets ($SYS.kv.list) as a table", "$SYS.kv.list", bucket: false));
        kv.Subcommands.Add(Admin("rm", "Delete a bucket and every value in it", "$SYS.kv.delete", bucket: true));

        kv.Subcommands.Add(KeyCommand("put", "Set a key to a value; prints the new revision", withValue: true, async (bucket, key, value, json, output) =>
            await Revision(output, json, "put", key, await bucket.PutAsync(key, Encoding.UTF8.GetBytes(value!)))));
        kv.Subcommands.Add(KeyCommand("get", "Print a key's current value (exit 1 if it has none)", withValue: false, async (bucket, key, _, json, output) =>
        {
            if (await bucket.GetAsync(key) is not { } entry)
            {
                throw new ArgumentException($"key '{key}' of bucket {bucket.Bucket} has no value");
            }

            await output.WriteLineAsync(json ? Json(entry) : Encoding.UTF8.GetString(entry.Value.Span));
            return 0;
        }));
        kv.Subcommands.Add(KeyCommand("del", "Delete a key (its history stays); prints the revision of the delete", withValue: false, async (bucket, key, _, json, output) =>
            await Revision(output, json, "deleted", key, await bucket.DeleteAsync(key))));
        kv.Subcommands.Add(KeyCommand("purge", "Delete a key and its history; prints the revision of the purge", withValue: false, async (bucket, key, _, json, output) =>
            await Revision(output, json, "purged", key, await bucket.PurgeAsync(key))));
        kv.Subcommands.Add(KeyCommand("history", "Print every revision kept of a key, oldest first", withValue: false, async (bucket, key, _, json, output) =>
        {
            foreach (MqKeyValueEntry entry in await bucket.HistoryAsync(key))
            {
                await output.WriteLineAsync(json ? Json(entry) : Line(entry));
            }

            return 0;
        }));
        kv.Subcommands.Add(KeysCommand());
        kv.Subcommands.Add(WatchCommand());
        return kv;
    }

    private static SystemCommandOptions Shared() => new("Seconds to wait for the broker and for its answer", 5);

    private static Command AddCommand()
    {
        var options = Shared();
        var bucket = new Argument<string>("bucket") { Description = "The bucket: letters, digits, '-' and '_'" };
        var history = new Option<int>("--history") { Description = $"Revisions kept per key (1 to {MqKeyValueOptions.MaxHistory})", DefaultValueFactory = _ => 1 };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "Drop a revision this long after it was written (hh:mm:ss or d.hh:mm:ss)" };
        var maxBytes = new Option<long?>("--max-bytes") { Description = "Keep at most this many bytes" };
        var storage = new Option<string>("--storage") { Description = "file (survives restarts) or memory", DefaultValueFactory = _ => "file" };
        storage.AcceptOnlyFromAmong("file", "memory");
        Command command = options.Command("add", "Create a bucket (the same settings again is not an error; needs the admin right under a policy)");
        command.Arguments.Add(bucket);
        command.Options.Add(history);
        command.Options.Add(ttl);
        command.Options.Add(maxBytes);
        command.Options.Add(storage);
        command.SetAction((parse, ct) => AdminAsync(parse, options, "add", "$SYS.kv.create", new()
        {
            ["bucket"] = parse.GetValue(bucket),
            ["history"] = parse.GetValue(history),
            ["ttl_ms"] = parse.GetValue(ttl) is { } age ? (long)age.TotalMilliseconds : null,
            ["max_bytes"] = parse.GetValue(maxBytes),
            ["storage"] = parse.GetValue(storage),
        }, ct));
        return command;
    }

    private static Command Admin(string verb, string description, string service, bool bucket)
    {
        var options = Shared();
        Command command = options.Command(verb, description);
        var name = new Argument<string>("bucket") { Description = "The bucket" };
        if (bucket)
        {
            command.Arguments.Add(name);
        }

        // The list reply's entries are under "buckets": the table is made from them.
        command.SetAction((parse, ct) => AdminAsync(parse, options, bucket ? verb : "buckets", service, bucket ? new() { ["bucket"] = parse.GetValue(name) } : [], ct));
        return command;
    }

    private static Task<int> AdminAsync(ParseResult parse, SystemCommandOptions options, string command, string service, Dictionary<string, object?> args, CancellationToken cancellationToken)
    {
        Dictionary<string, object?> sent = args.Where(a => a.Value is not null).ToDictionary();
        return Connected(parse, options, $"kv {command}", (wait, clientOptions) => SystemQuery.RunAsync($"kv {command}", service, MessagePackSerializer.Serialize(sent, cancellationToken: cancellationToken), clientOptions, parse.GetValue(options.Json), Console.Out, Console.Error, cancellationToken));
    }

    private delegate Task<int> KeyAction(MqKeyValue bucket, string key, string? value, bool json, TextWriter output);

    private static Command KeyCommand(string verb, string description, bool withValue, KeyAction action)
    {
        var options = Shared();
        var bucket = new Argument<string>("bucket") { Description = "The bucket" };
        var key = new Argument<string>("key") { Description = "The key: tokens separated by '.', no wildcards" };
        var value = new Argument<string>("value") { Description = "The value (UTF-8 text)" };
        Command command = options.Command(verb, description);
        command.Arguments.Add(bucket);
        command.Arguments.Add(key);
        if (withValue)
        {
            command.Arguments.Add(value);
        }

        command.SetAction((parse, ct) => Connected(parse, options, $"kv {verb}", (_, clientOptions) => SystemQuery.WithClientAsync($"kv {verb}", clientOptions, Console.Error,
            client => action(client.KeyValue(parse.GetValue(bucket)!), parse.GetValue(key)!, withValue ? parse.GetValue(value) : null, parse.GetValue(options.Json), Console.Out), ct)));
        return command;
    }

    private static Command KeysCommand()
    {
        var options = Shared();
        var bucket = new Argument<string>("bucket") { Description = "The bucket" };
        var filter = new Argument<string>("filter") { Description = "Keys to list, with wildcards '*' and '>'", DefaultValueFactory = _ => ">" };
        Command command = options.Command("keys", "Print the keys that have a value, one a line");
        command.Arguments.Add(bucket);
        command.Arguments.Add(filter);
        command.SetAction((parse, ct) => Connected(parse, options, "kv keys", (_, clientOptions) => SystemQuery.WithClientAsync("kv keys", clientOptions, Console.Error, async client =>
        {
            IReadOnlyList<string> keys = await client.KeyValue(parse.GetValue(bucket)!).KeysAsync(parse.GetValue(filter)!, ct);
            foreach (string key in keys)
            {
                await Console.Out.WriteLineAsync(parse.GetValue(options.Json) ? JsonSerializer.Serialize(key) : key);
            }

            return 0;
        }, ct)));
        return command;
    }

    private static Command WatchCommand()
    {
        var options = new SystemCommandOptions("Seconds to wait for the broker, then for the changes (default: connect within 5 s, then watch until stopped)", null);
        var bucket = new Argument<string>("bucket") { Description = "The bucket" };
        var filter = new Argument<string>("filter") { Description = "Keys to watch, with wildcards '*' and '>'", DefaultValueFactory = _ => ">" };
        var count = new Option<int?>("--count") { Description = "Exit 0 after this many entries (2 if fewer came within --timeout)" };
        Command command = options.Command("watch", "Print the current value of each key, then every change as it is stored");
        command.Arguments.Add(bucket);
        command.Arguments.Add(filter);
        command.Options.Add(count);
        command.SetAction((parse, ct) => Connected(parse, options, "kv watch", (wait, clientOptions) => SystemQuery.WithClientAsync("kv watch", clientOptions, Console.Error,
            client => WatchAsync(client.KeyValue(parse.GetValue(bucket)!), parse.GetValue(filter)!, parse.GetValue(count), parse.GetValue(options.Timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null, parse.GetValue(options.Json), ct), ct)));
        return command;
    }

    private static async Task<int> WatchAsync(MqKeyValue bucket, string filter, int? count, TimeSpan? timeout, bool json, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using MqKeyValueWatch watch = await bucket.WatchAsync(filter, cancellationToken);

        // On standard error, so that standard output holds nothing but entries.
        await Console.Error.WriteLineAsync($"watching {filter} in bucket {bucket.Bucket}");
        if (timeout is { } limit)
        {
            stop.CancelAfter(limit);
        }

        bool told = false;
        int seen = 0;
        try
        {
            await foreach (MqKeyValueEntry entry in watch.WithCancellation(stop.Token))
            {
                await Console.Out.WriteLineAsync(json ? Json(entry) : Line(entry));
                if (!told && watch.InitialValuesDone.IsCompleted)
                {
                    told = true;
                    await Console.Error.WriteLineAsync("current values done; changes follow");
                }

                if (++seen == count)
                {
                    return 0;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // --timeout passed.
        }

        return count is null || cancellationToken.IsCancellationRequested ? 0 : SystemQuery.Unreachable;
    }

    /// <summary>Reads the shared options (the key files too) and runs <paramref name="run"/> with the client options; a bad key file is exit 1.</summary>
    private static async Task<int> Connected(ParseResult parse, SystemCommandOptions options, string command, Func<TimeSpan, MqClientOptions, Task<int>> run)
    {
        TimeSpan wait = TimeSpan.FromSeconds(parse.GetValue(options.Timeout) ?? 5);
        try
        {
            return await run(wait, options.ClientOptions(parse, $"mq-broker-{command.Replace(' ', '-')}", wait));
        }
        catch (Mq.Security.KeyFileException ex)
        {
            await Console.Error.WriteLineAsync($"Mq broker {command}: {ex.Message}");
            return BrokerProgram.BadArguments;
        }
    }

    private static async Task<int> Revision(TextWriter output, bool json, string what, string key, ulong revision)
    {
        await output.WriteLineAsync(json ? JsonSerializer.Serialize(new Dictionary<string, object> { ["key"] = key, ["revision"] = revision }) : $"{what} {key} at revision {revision}");
        return 0;
    }

    private static string Line(MqKeyValueEntry entry) => entry.Operation == MqKeyValueOperation.Put
        ? $"[{entry.Key} #{entry.Revision}] {Encoding.UTF8.GetString(entry.Value.Span)}"
        : $"[{entry.Key} #{entry.Revision}] {(entry.Operation == MqKeyValueOperation.Delete ? "deleted" : "purged")}";

    private static string Json(MqKeyValueEntry entry) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["key"] = entry.Key,
        ["revision"] = entry.Revision,
        ["created"] = entry.Created.ToString("O", CultureInfo.InvariantCulture),
        ["op"] = entry.Operation.ToString().ToLowerInvariant(),
        ["value"] = Encoding.UTF8.GetString(entry.Value.Span),
    });
}
