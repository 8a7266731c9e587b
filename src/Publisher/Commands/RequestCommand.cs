using System.CommandLine;
using System.Diagnostics;
using Mq.Client;
using Mq.CommandLine;
using Mq.Errors;

namespace Mq.Publisher.Commands;

/// <summary>
/// <c>request</c>: sends requests to a service, one after another, and prints each reply as JSON on stdout and
/// its round-trip time on stderr (so a script reading the replies gets nothing else). <c>--stream</c> prints a
/// streamed reply's parts as they come; <c>--all</c> asks every server at once and prints each answer.
/// </summary>
internal static class RequestCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("request", "Send requests to a service and print each reply's payload as JSON");
        var service = new NameInput("service", "Mq.Publisher request SERVICE [PAYLOAD]", many: false, "Service name, e.g. inventory.count", "--service", "-s");
        var timeout = new Option<int>("--timeout") { Description = "Milliseconds to wait for each reply (exit 4 when it does not come); with --stream, for each part; with --all, for all answers", DefaultValueFactory = _ => 5000 }.Positive();
        var count = new Option<int>("--count", "-c") { Description = "How many requests, one after another", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var stream = new Option<bool>("--stream") { Description = "Ask for a streamed reply: print each part as JSON as it comes, then the final reply" };
        var all = new Option<bool>("--all") { Description = "Scatter-gather: ask every server of the service and print each answer as it comes (failures on stderr)" };
        var maxReplies = new Option<int?>("--max-replies") { Description = "With --all: stop after this many successful answers" };
        var payload = new PayloadOptions(fromArguments: true);
        service.AddTo(command);
        command.Options.Add(timeout);
        command.Options.Add(count);
        command.Options.Add(stream);
        command.Options.Add(all);
        command.Options.Add(maxReplies);
        payload.AddTo(command);
        common.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(stream) && result.GetValue(all))
            {
                result.AddError("--stream and --all do not go together: a scatter-gather's answers are not streamed");
            }
            else if (result.GetValue(maxReplies) is { } max && (max < 1 || !result.GetValue(all)))
            {
                result.AddError(max < 1 ? "--max-replies must be at least 1" : "--max-replies goes with --all");
            }
        });

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            string name = service.Value(parse);
            ReadOnlyMemory<byte> body = await payload.PayloadAsync(parse, token);
            TimeSpan wait = TimeSpan.FromMilliseconds(parse.GetValue(timeout));
            IReadOnlyDictionary<string, string>? headers = payload.HeaderMap(parse);
            await using MqClient client = await common.ConnectAsync(parse, token);
            for (int i = 0; i < parse.GetValue(count); i++)
            {
                long started = Stopwatch.GetTimestamp();
                if (parse.GetValue(all))
                {
                    var options = new RequestManyOptions { Timeout = wait, Headers = headers, MaxReplies = parse.GetValue(maxReplies), IncludeFailures = true };
                    await GatherAsync(client.RequestManyAsync(name, body, options, token), name, started);
                }
                else if (parse.GetValue(stream))
                {
                    var options = new RequestOptions { Timeout = wait, Headers = headers };
                    await StreamAsync(client.RequestStreamAsync(name, body, options, token), name, started);
                }
                else
                {
                    MqReply reply = await client.RequestAsync(name, body, new RequestOptions { Timeout = wait, Headers = headers }, token);
                    Console.WriteLine(reply.ToJson());
                    await Console.Error.WriteLineAsync($"reply from {name} in {Milliseconds(started)} ms");
                }
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static async Task StreamAsync(IAsyncEnumerable<MqReply> replies, string name, long started)
    {
        int parts = 0;
        await foreach (MqReply reply in replies)
        {
            // A final reply without data only ends the stream; printing it would add a line nobody sent.
            if (!reply.IsFinal || !reply.Data.IsEmpty)
            {
                Console.WriteLine(reply.ToJson());
            }

            parts += reply.IsFinal ? 0 : 1;
        }

        await Console.Error.WriteLineAsync($"{Plural.Of(parts, "part")} and the reply from {name} in {Milliseconds(started)} ms");
    }

    /// <summary>Prints every answer; fails with the first failure's code only when no server answered well.</summary>
    private static async Task GatherAsync(IAsyncEnumerable<MqReply> replies, string name, long started)
    {
        int answered = 0;
        MqException? firstFailure = null;
        int failed = 0;
        await foreach (MqReply reply in replies)
        {
            if (reply.Failure is { } failure)
            {
                failed++;
                firstFailure ??= failure;
                await Console.Error.WriteLineAsync($"error from {reply.Responder}: {failure.Message}");
                continue;
            }

            answered++;
            Console.WriteLine(reply.ToJson());
            await Console.Error.WriteLineAsync($"reply from {reply.Responder} in {Milliseconds(started)} ms");
        }

        await Console.Error.WriteLineAsync($"{Plural.Of(answered, "reply", "replies")} and {Plural.Of(failed, "failure")} from the servers of {name} in {Milliseconds(started)} ms");
        if (answered == 0 && firstFailure is not null)
        {
            throw firstFailure;
        }
    }

    private static string Milliseconds(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
}
