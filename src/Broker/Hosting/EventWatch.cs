using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Mq.Client;
using Mq.Errors;
using NetMQ;

namespace Mq.Broker.Hosting;

/// <summary>
/// <c>Mq.Broker events</c>: subscribes to the broker's <c>$SYS.event.</c> subjects as an ordinary peer (so a policy's
/// subscribe permissions apply) and prints each event as it comes: a line for people, or one JSON object per line.
/// </summary>
internal static class EventWatch
{
    public const string Prefix = "$SYS.event.";

    // Keys every event has; the line for people shows them first, in their own way.
    private static readonly HashSet<string> Common = new(StringComparer.Ordinal) { "event", "time", "broker" };

    /// <summary>
    /// Watches <paramref name="kinds"/> (all when empty) until <paramref name="count"/> events came (forever when
    /// null), or <paramref name="timeout"/> passed after the subscriptions were confirmed: exit 0, or 2 if fewer than
    /// <paramref name="count"/> came in time, as when the broker cannot be reached.
    /// </summary>
    public static async Task<int> RunAsync(MqClientOptions options, IReadOnlyList<string> kinds, int? count, TimeSpan? timeout, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string[] patterns = kinds.Count == 0 ? [Prefix + ">"] : [.. kinds.Select(k => Prefix + k)];
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int seen = 0;
        try
        {
            await using MqClient client = await MqClient.ConnectAsync(options, cancellationToken: cancellationToken);
            var merged = Channel.CreateBounded<MqMessage>(256);
            var subscriptions = new List<MqSubscription>();
            foreach (string pattern in patterns)
            {
                subscriptions.Add(await client.SubscribeAsync(pattern, cancellationToken: cancellationToken));
            }

            // On standard error, so that standard output holds nothing but events.
            await error.WriteLineAsync($"watching {string.Join(", ", patterns)}");
            if (timeout is { } limit)
            {
                watch.CancelAfter(limit);
            }

            Task[] pumps = [.. subscriptions.Select(s => PumpAsync(s, merged.Writer, watch.Token))];
            while (count is null || seen < count)
            {
                MqMessage message = await merged.Reader.ReadAsync(watch.Token);
                await output.WriteLineAsync(json ? message.ToJson() : Line(message.Deserialize<Dictionary<string, object?>>()));
                seen++;
            }

            await watch.CancelAsync();
            await Task.WhenAll(pumps);
            foreach (MqSubscription subscription in subscriptions)
            {
                await subscription.DisposeAsync();
            }

            return 0;
        }
        catch (OperationCanceledException) when (watch.IsCancellationRequested)
        {
            // Stopped by the user, or the time given is up: only a count not reached is a failure.
            if (count is { } wanted && seen < wanted && !cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"Mq broker events: {seen} of {wanted} events within {timeout!.Value.TotalSeconds:0.###} s");
                return SystemQuery.Unreachable;
            }

            return 0;
        }
        catch (Exception ex) when (ex is NotConnectedException or MqTimeoutException)
        {
            await error.WriteLineAsync($"Mq broker events: {ex.Message}");
            return SystemQuery.Unreachable;
        }
        catch (MqException ex)
        {
            await error.WriteLineAsync($"Mq broker events: {ex.Message}");
            return BrokerProgram.BadArguments;
        }
        finally
        {
            NetMQConfig.Cleanup(block: false);
        }
    }

    /// <summary>"time event key=value ...": the event's own fields in the broker's order, nil as "-", text with spaces quoted.</summary>
    public static string Line(Dictionary<string, object?> e)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{e.GetValueOrDefault("time")} {e.GetValueOrDefault("event")}");
        foreach ((string key, object? value) in e)
        {
            if (!Common.Contains(key))
            {
                string text = SystemTable.Cell(value);
                line.Append(CultureInfo.InvariantCulture, $" {key}={(text.Contains(' ', StringComparison.Ordinal) ? $"\"{text}\"" : text)}");
            }
        }

        return line.ToString();
    }

    private static async Task PumpAsync(MqSubscription subscription, ChannelWriter<MqMessage> merged, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (MqMessage message in subscription.WithCancellation(cancellationToken))
            {
                await merged.WriteAsync(message, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watch is over.
        }
    }
}
