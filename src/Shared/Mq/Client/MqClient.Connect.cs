using Microsoft.Extensions.Logging;
using Mq.Client.Connection;
using Mq.Errors;

namespace Mq.Client;

/// <summary>Connecting: finding the broker (an <c>auto</c> endpoint), probing for a refusal, waiting for the first session.</summary>
public sealed partial class MqClient
{
    /// <summary>Connects and completes the handshake; throws <see cref="NotConnectedException"/> if the broker cannot be reached in time.</summary>
    public static async ValueTask<MqClient> ConnectAsync(MqClientOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var client = new MqClient(options, loggerFactory);
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts the connection and waits for the first handshake (at most <see cref="MqClientOptions.ConnectTimeout"/>).
    /// A tcp:// endpoint where nothing listens fails at once with <see cref="NotConnectedException"/> ("connection
    /// refused"), and calling again tries again. A unix:// or pipe:// endpoint whose socket file is not there yet is tried
    /// again (with backoff) until the timeout, whose error says what the last attempt met. Once connected, the client
    /// reconnects by itself whenever the connection is lost.
    /// </summary>
    public async ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        EnsureUsable();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            // Probed before NetMQ connects, so a refusal stops here (NetMQ would retry in the background, silently),
            // and the probe is never the newest connection a relay or proxy on the way has seen.
            string? refusal;
            try
            {
                if (_options.Endpoint == MqClientOptions.AutoEndpoint)
                {
                    _connection.Endpoint = await BrokerDiscovery.FindAsync(_options.DiscoveryAddress, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
                }

                refusal = await RefusalProbe.RefusedAsync(_connection.Endpoint, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or NotConnectedException)
            {
                Volatile.Write(ref _started, 0);
                throw;
            }

            if (refusal is not null)
            {
                Volatile.Write(ref _started, 0);
                throw new NotConnectedException($"cannot reach the Mq broker at {_connection.Endpoint}: {refusal}");
            }

            try
            {
                _connection.Start();
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or NetMQ.NetMQException or ArgumentException)
            {
                // NetMQ resolves the host name while connecting: an unknown host surfaces here. A later call tries again.
                Volatile.Write(ref _started, 0);
                throw new NotConnectedException($"cannot connect to the Mq broker at {_connection.Endpoint}: {ex.Message}", ex);
            }
        }

        try
        {
            TimeSpan left = _options.ConnectTimeout - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            await _connection.FirstSession.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            string why = _connection.ConnectFailure is { } failure ? $": {failure}" : "";
            throw new NotConnectedException($"cannot reach the Mq broker at {_connection.Endpoint} within {_options.ConnectTimeout.TotalSeconds:0.#} s{why}");
        }
    }

    public static ValueTask<MqClient> ConnectAsync(string endpoint, string name, CancellationToken cancellationToken = default) =>
        ConnectAsync(MqClientOptions.Default with { Endpoint = endpoint, Name = name }, null, cancellationToken);
}
