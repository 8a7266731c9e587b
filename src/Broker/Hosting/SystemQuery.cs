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
    public static async Task<int> RunAsync(string command, string service, ReadOnlyMemory<byte> payload, MqClientOptions options, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            await using MqClient client = await MqClient.ConnectAsync(options, cancellationToken: cancellationToken);
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
        }
        catch (Exception ex) when (ex is NotConnectedException or MqTimeoutException)
        {
            await error.WriteLineAsync($"Mq broker {command}: {ex.Message}");
            return Unreachable;
        }
        catch (Exception ex) when (ex is MqException or MessagePackSerializationException)
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
