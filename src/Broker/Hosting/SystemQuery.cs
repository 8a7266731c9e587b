using MessagePack;
using Mq.Client;
using Mq.Errors;
using NetMQ;

namespace Mq.Broker.Hosting;

/// <summary>
/// <c>Mq.Broker info|stats|peers|subs|services</c>: asks a running broker one of its <c>$SYS.</c> services as an
/// ordinary peer (so a policy's request permissions apply) and prints the reply as a table or as JSON.
/// </summary>
internal static class SystemQuery
{
    /// <summary>The broker could not be reached, or did not answer in time.</summary>
    public const int Unreachable = 2;

    /// <summary>The command names, each asking the service <c>$SYS.</c> + name.</summary>
    public static readonly string[] Commands = ["info", "stats", "peers", "subs", "services"];

    private static readonly MessagePackSerializerOptions Untrusted = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    public static Task<int> RunAsync(string command, MqClientOptions options, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(command, "$SYS." + command, ReadOnlyMemory<byte>.Empty, options, json, output, error, cancellationToken);

    /// <summary>Asks <paramref name="service"/> with <paramref name="payload"/>; a list reply's entries are under the key <paramref name="command"/>.</summary>
    public static Task<int> RunAsync(string command, string service, ReadOnlyMemory<byte> payload, MqClientOptions options, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        WithClientAsync(command, options, error, async client =>
        {
            MqReply reply = await client.RequestAsync(service, payload, cancellationToken: cancellationToken);
            if (json)
            {
                await output.WriteLineAsync(reply.ToJson());
            }
            else
            {
                await output.WriteAsync(SystemTable.Format(command, MessagePackSerializer.Deserialize<Dictionary<string, object?>>(reply.Data, Untrusted, cancellationToken)));
            }

            return 0;
        }, cancellationToken);

    /// <summary>
    /// Connects, runs <paramref name="body"/> and returns its exit code; a broker that cannot be reached or does not answer
    /// in time is exit 2, a refusal (or a bad argument the client found) exit 1, each with one line on <paramref name="error"/>.
    /// </summary>
    public static async Task<int> WithClientAsync(string command, MqClientOptions options, TextWriter error, Func<MqClient, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            await using MqClient client = await MqClient.ConnectAsync(options, cancellationToken: cancellationToken);
            return await body(client);
        }
        catch (Exception ex) when (ex is NotConnectedException or MqTimeoutException)
        {
            await error.WriteLineAsync($"Mq broker {command}: {ex.Message}");
            return Unreachable;
        }
        catch (Exception ex) when (ex is MqException or MessagePackSerializationException or ArgumentException)
        {
            await error.WriteLineAsync($"Mq broker {command}: {ex.Message}");
            return BrokerProgram.BadArguments;
        }
        finally
        {
            NetMQConfig.Cleanup(block: false);
        }
    }
}
