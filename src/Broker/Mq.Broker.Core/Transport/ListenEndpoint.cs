using System.Globalization;
using Mq.Protocol;

namespace Mq.Broker.Transport;

/// <summary>
/// One endpoint the broker listens on, parsed from its text: <c>tcp://host:port</c> (port 0 or <c>*</c>: any free
/// port), <c>unix:///absolute/path.sock</c>, a Unix domain stream socket carrying the same ZMTP bytes as TCP, or
/// <c>pipe://name</c>, the Unix socket .NET's named pipes use for that name (<see cref="LocalEndpoint"/>).
/// </summary>
internal sealed record ListenEndpoint(string Text, string? Host, int Port, string? Path)
{
    public const string TcpScheme = "tcp://";

    public bool IsUnix => Path is not null;

    /// <summary>The endpoint, or null with <paramref name="problem"/> saying in one line what is wrong with it.</summary>
    public static ListenEndpoint? Parse(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "an endpoint is empty (tcp://host:port, unix:///absolute/path.sock or pipe://name)";
            return null;
        }

        if (LocalEndpoint.IsLocal(text))
        {
            return ParseLocal(text, out problem);
        }

        if (!text.StartsWith(TcpScheme, StringComparison.Ordinal))
        {
            int scheme = text.IndexOf("://", StringComparison.Ordinal);
            problem = scheme > 0
                ? $"endpoint '{text}': unknown scheme '{text[..scheme]}' (tcp://host:port, unix:///absolute/path.sock or pipe://name)"
                : $"endpoint '{text}' must look like tcp://127.0.0.1:5555 or unix:///run/mq/broker.sock";
            return null;
        }

        int colon = text.LastIndexOf(':');
        string host = colon < TcpScheme.Length ? "" : text[TcpScheme.Length..colon];
        string port = text[(colon + 1)..];
        if (host.Length == 0 || host.Any(char.IsWhiteSpace) || (host.Contains(':') && !host.StartsWith('[')))
        {
            problem = $"endpoint '{text}' must look like tcp://127.0.0.1:5555";
            return null;
        }

        if (port == "*")
        {
            return new ListenEndpoint(text, host, 0, null);
        }

        if (port.Length is 0 or > 5 || !port.All(char.IsAsciiDigit) || int.Parse(port, CultureInfo.InvariantCulture) > 65535)
        {
            problem = $"endpoint '{text}': '{port}' is not a port (0 to 65535, or * for any free port)";
            return null;
        }

        return new ListenEndpoint(text, host, int.Parse(port, CultureInfo.InvariantCulture), null);
    }

    /// <summary>Every endpoint of <paramref name="texts"/> parsed, or the first problem (a duplicate path counts as one).</summary>
    public static IReadOnlyList<ListenEndpoint>? ParseAll(IEnumerable<string?> texts, out string? problem)
    {
        var endpoints = new List<ListenEndpoint>();
        foreach (string? text in texts)
        {
            if (Parse(text, out problem) is not { } endpoint)
            {
                return null;
            }

            if (endpoint.IsUnix && endpoints.Any(e => e.Path == endpoint.Path))
            {
                problem = $"endpoint '{text}' is listed twice";
                return null;
            }

            endpoints.Add(endpoint);
        }

        problem = null;
        return endpoints;
    }

    private static ListenEndpoint? ParseLocal(string text, out string? problem) =>
        LocalEndpoint.SocketPath(text, out problem) is { } path ? new ListenEndpoint(text, null, 0, path) : null;
}
