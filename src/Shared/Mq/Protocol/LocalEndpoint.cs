using System.Text;

namespace Mq.Protocol;

/// <summary>
/// The endpoints on one machine, parsed the same way by the broker (to listen) and the client (to connect):
/// <c>unix:///absolute/path.sock</c>, a Unix domain stream socket, and <c>pipe://name</c>, the Unix socket that .NET's
/// <see cref="System.IO.Pipes.NamedPipeServerStream"/> and <see cref="System.IO.Pipes.NamedPipeClientStream"/> use for
/// the pipe <c>name</c> on Linux and macOS (<c>Path.GetTempPath() + "CoreFxPipe_" + name</c>). Both carry the same
/// ZMTP bytes as TCP (docs/protocol.md §1.2). Windows named pipes are not implemented.
/// </summary>
internal static class LocalEndpoint
{
    public const string UnixScheme = "unix://";
    public const string PipeScheme = "pipe://";

    /// <summary>sun_path holds 108 bytes on Linux, one of them the terminating zero.</summary>
    public const int MaxUnixPathBytes = 107;

    /// <summary>The prefix .NET puts before a pipe's name to make its socket file's name (System.IO.Pipes on Unix).</summary>
    public const string PipeFilePrefix = "CoreFxPipe_";

    /// <summary>
    /// SO_SNDBUF both ends give a Unix socket (the kernel caps it at net.core.wmem_max). A Unix socket's buffer is its
    /// send buffer, 212 KiB by default, where TCP's grows to megabytes: a few 64 KiB frames per system call.
    /// </summary>
    public const int SendBufferBytes = 1024 * 1024;

    /// <summary>True for the schemes this class parses, valid or not.</summary>
    public static bool IsLocal(string? text) =>
        text is not null && (text.StartsWith(UnixScheme, StringComparison.Ordinal) || text.StartsWith(PipeScheme, StringComparison.Ordinal));

    /// <summary>
    /// The socket file's path of a <c>unix://</c> or <c>pipe://</c> endpoint, or null with <paramref name="problem"/>
    /// saying in one line what is wrong (<paramref name="problem"/> stays null for other schemes).
    /// </summary>
    public static string? SocketPath(string text, out string? problem)
    {
        problem = null;
        if (text.StartsWith(PipeScheme, StringComparison.Ordinal))
        {
            return PipePath(text, out problem);
        }

        if (!text.StartsWith(UnixScheme, StringComparison.Ordinal))
        {
            return null;
        }

        // unix:///run/mq.sock: an empty authority, then the absolute path. unix://run/mq.sock would be relative.
        string path = text[UnixScheme.Length..];
        if (!path.StartsWith('/'))
        {
            problem = $"endpoint '{text}': the socket path must be absolute, as in unix:///run/mq/broker.sock";
            return null;
        }

        if (path.EndsWith('/') || path.Contains('\0'))
        {
            problem = $"endpoint '{text}': the socket path must name a file";
            return null;
        }

        return CheckLength(text, path, out problem);
    }

    private static string? PipePath(string text, out string? problem)
    {
        string name = text[PipeScheme.Length..];
        if (OperatingSystem.IsWindows())
        {
            problem = $"endpoint '{text}': Windows named pipes are not implemented; use tcp:// (pipe:// is a Unix socket on Linux and macOS)";
            return null;
        }

        if (name.Length == 0 || name.Contains('/') || name.Contains('\0') || name is "." or "..")
        {
            problem = $"endpoint '{text}': a pipe name must be non-empty and free of '/', as in pipe://mq-broker";
            return null;
        }

        return CheckLength(text, Path.Combine(Path.GetTempPath(), PipeFilePrefix + name), out problem);
    }

    private static string? CheckLength(string text, string path, out string? problem)
    {
        int bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxUnixPathBytes)
        {
            string which = text.StartsWith(PipeScheme, StringComparison.Ordinal) ? $"the pipe's socket path {path}" : "the socket path";
            problem = $"endpoint '{text}': {which} is {bytes} bytes; a Unix socket path may have at most {MaxUnixPathBytes} (sun_path)";
            return null;
        }

        problem = null;
        return path;
    }
}
