using System.Net.Sockets;

namespace Mq.Client.Connection;

/// <summary>
/// NetMQ keeps retrying a refused TCP connection in the background and never says it was refused, so without this
/// a peer with nothing to connect to waits its whole connect timeout. One plain socket connect to the same address
/// tells at once. Only for tcp:// endpoints: other transports get no probe and wait for the handshake as before.
/// A broker accepting the probe sees a connection that closes before its greeting, which it drops silently.
/// </summary>
internal static class RefusalProbe
{
    /// <summary>
    /// The refusal as text ("connection refused"), or null when something accepted, or when it is not known in time.
    /// Throws <see cref="OperationCanceledException"/> only for <paramref name="cancellationToken"/>.
    /// </summary>
    public static async Task<string?> RefusedAsync(string endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!TryParseTcp(endpoint, out string host, out int port))
        {
            return null;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            return null;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return "connection refused (nothing is listening there)";
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Unreachable hosts, lookups and timeouts: the handshake's own wait reports them.
            return null;
        }
    }

    internal static bool TryParseTcp(string endpoint, out string host, out int port)
    {
        host = "";
        port = 0;
        const string Scheme = "tcp://";
        int colon = endpoint.LastIndexOf(':');
        if (!endpoint.StartsWith(Scheme, StringComparison.Ordinal) || colon <= Scheme.Length
            || !int.TryParse(endpoint.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port))
        {
            return false;
        }

        host = endpoint[Scheme.Length..colon].Trim('[', ']');
        return true;
    }
}
