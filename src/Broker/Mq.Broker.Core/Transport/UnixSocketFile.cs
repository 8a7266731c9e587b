using System.Net.Sockets;

namespace Mq.Broker.Transport;

/// <summary>
/// The file of a Unix socket endpoint: a stale one (left by a broker that died) is removed before binding, a live
/// one is an error; the new one gets its mode and group before the first connection is accepted; stopping removes it.
/// </summary>
internal static class UnixSocketFile
{
    /// <summary>Binds <paramref name="socket"/> to <paramref name="path"/>, owner-only from the first instant, then applies mode and group.</summary>
    public static void Bind(Socket socket, string path, UnixFileMode mode, string? group)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows has AF_UNIX but no file modes to restrict it with; named pipes are its local transport.
            throw new PlatformNotSupportedException("unix:// endpoints need Linux or macOS");
        }

        RemoveStale(path);
        uint? gid = null;
        if (group is not null)
        {
            gid = (group.All(char.IsAsciiDigit) ? uint.Parse(group, System.Globalization.CultureInfo.InvariantCulture) : UnixAccounts.GroupId(group))
                ?? throw new ArgumentException($"UnixSocketGroup '{group}' is not a group of this system");
        }

        // bind() creates the file with 0777 less the umask: for the moment until the chmod below, the umask alone
        // decides who may connect, so it is narrowed to owner-only around the call (the broker is still starting).
        uint previous = UnixAccounts.SetUmask(0x7F /* 0177 */);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
        }
        finally
        {
            UnixAccounts.SetUmask(previous);
        }

        // The group first, then the mode: a group-readable mode never applies to the broker's own primary group.
        if (gid is { } id && UnixAccounts.ChangeGroup(path, id) is var error and not 0)
        {
            Remove(path);
            throw new ArgumentException($"cannot give the socket file {path} the group {group} (errno {error}; the broker's user must be in that group)");
        }

        File.SetUnixFileMode(path, mode);
    }

    /// <summary>Removes the socket file the broker made; nothing if it is already gone.</summary>
    public static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Its directory went away or changed hands: nothing of the broker's is left to clean.
        }
    }

    /// <summary>
    /// A file at <paramref name="path"/> is removed when it is a socket nobody listens on (connect is refused); a live
    /// socket or a file that is no socket is an error naming the path.
    /// </summary>
    private static void RemoveStale(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ArgumentException($"{path} is a directory, not a socket file");
        }

        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // ECONNREFUSED: a socket file whose listener is gone (a broker that died without cleaning up), or a file
            // that is no socket at all, which is not the broker's to delete.
            if (IsOrdinaryFile(path))
            {
                throw new ArgumentException($"{path} exists and is not a socket; remove it or choose another path");
            }

            File.Delete(path);
            return;
        }
        catch (SocketException ex)
        {
            throw new ArgumentException($"{path} exists and is not a socket this broker can take over ({ex.SocketErrorCode}); remove it or choose another path");
        }

        throw new ArgumentException($"another process (a broker?) is listening on {path}; stop it or choose another path");
    }

    /// <summary>A socket file cannot be opened as a file (open says ENXIO); an ordinary file can.</summary>
    private static bool IsOrdinaryFile(string path)
    {
        try
        {
            using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            // Not the broker's to read, so not the broker's to delete either.
            return true;
        }
    }
}
