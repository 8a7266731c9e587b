using System.CommandLine;
using System.Threading.Channels;
using Mq.Client;
using Mq.CommandLine;
using Mq.Subscriber.Output;

namespace Mq.Subscriber.Commands;

/// <summary><c>subscribe</c> (also the default command): prints messages on one or more patterns.</summary>
internal static class SubscribeCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("subscribe", "Print messages published on subjects matching the patterns (the default command)");
        Configure(command, common);
        return command;
    }

    public static void Configure(Command command, CommonOptions common)
    {
        var topics = new Option<string[]>("--topic", "-t") { Description = "Pattern to subscribe to, wildcards allowed (repeatable)", Required = true };
        var group = new Option<string?>("--group", "-g") { Description = "Queue group: each message goes to one member of the group" };
        var count = new Option<int?>("--count", "-c") { Description = "Exit 0 after this many messages" };
        var timeout = new Option<double?>("--timeout") { Description = "Seconds to run; with --count, failing (exit 4) if fewer arrived" };
        var output = new Option<OutputFormat>("--output", "-o") { Description = "text or json (one object per line)", DefaultValueFactory = _ => OutputFormat.Text };
        command.Options.Add(topics);
        command.Options.Add(group);
        command.Options.Add(count);
        command.Options.Add(timeout);
        command.Options.Add(output);
        common.AddTo(command);

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            UsageException.Require(parse.GetValue(count) is null or >= 1, "--count must be at least 1");
            UsageException.Require(parse.GetValue(timeout) is null or > 0, "--timeout must be positive");
            string[] patterns = parse.GetValue(topics)!;
            string? queueGroup = parse.GetValue(group);
            int? wanted = parse.GetValue(count);
            OutputFormat format = parse.GetValue(output);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            if (parse.GetValue(timeout) is { } seconds)
            {
                deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            var inbox = Channel.CreateUnbounded<MqMessage>(new UnboundedChannelOptions { SingleReader = true });
            await using MqClient client = await MqClient.ConnectAsync(common.ClientOptions(parse), cancellationToken: token);
            var subscriptions = new List<MqSubscription>();
            foreach (string pattern in patterns)
            {
                // Each subscription's own buffer is bounded; the shared inbox only interleaves them for printing.
                subscriptions.Add(await client.SubscribeAsync(pattern, (message, _) => inbox.Writer.WriteAsync(message, CancellationToken.None), queueGroup, token));
            }

            await Console.Error.WriteLineAsync($"subscribed to {string.Join(", ", patterns)}{(queueGroup is null ? "" : $" (group {queueGroup})")}");
            int received = 0;
            try
            {
                await foreach (MqMessage message in inbox.Reader.ReadAllAsync(deadline.Token))
                {
                    Console.WriteLine(MessageFormatter.Format(message, format));
                    if (++received == wanted)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested && wanted is not null)
            {
                await Console.Error.WriteLineAsync($"error: timed out after receiving {received} of {wanted} messages");
                return ExitCodes.Timeout;
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                // --timeout without --count: the run simply ends.
            }

            foreach (MqSubscription subscription in subscriptions)
            {
                await subscription.DisposeAsync();
            }

            return ExitCodes.Success;
        }, ct));
    }
}
