using System.Buffers.Binary;
using System.Net.Sockets;

namespace Mq.Broker.Transport;

/// <summary>
/// Who is at the other end of a Unix socket connection, as the kernel says (SO_PEERCRED: the credentials the peer
/// process had when it called connect; SO_PEERGROUPS: its supplementary groups then), with the names the system
/// gives its uid and gids.
/// </summary>
internal sealed record LocalPeer(int Pid, uint Uid, uint Gid, string? User, string? Group)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;

    /// <summary>Linux's NGROUPS_MAX: the kernel never reports more supplementary groups than this.</summary>
    private const int MaxGroups = 65536;

    /// <summary>The supplementary group ids (Linux 4.13 and later; empty where the kernel gives none).</summary>
    public IReadOnlyList<uint> SupplementaryGids { get; init; } = [];

    /// <summary>The names of <see cref="SupplementaryGids"/> the system knows (after <see cref="WithNames"/>).</summary>
    public IReadOnlyList<string> SupplementaryGroups { get; init; } = [];

    /// <summary>How peer lists show the connection instead of an IP address.</summary>
    public string Address => $"unix:pid={Pid},uid={Uid},gid={Gid}";

    /// <summary>
    /// The "source" the per-source connection caps count by: the uid, since every process of a user is the same
    /// principal to the kernel (and a pid is cheap to change).
    /// </summary>
    public string SourceKey => $"unix:uid={Uid}";

    /// <summary>For log lines and refusals: the ids and, where the system has them, the names.</summary>
    public string Describe() => $"pid {Pid}, uid {Uid}{(User is null ? "" : $" ({User})")}, gid {Gid}{(Group is null ? "" : $" ({Group})")}"
        + (SupplementaryGids.Count == 0 ? "" : $", groups {string.Join(",", SupplementaryGids)}");

    /// <summary>
    /// The peer's credentials, or null where the kernel does not give them (not Linux) or the socket is gone. Without
    /// names: those take a lookup that may ask a directory service, so <see cref="WithNames"/> runs off the accept loop.
    /// </summary>
    public static LocalPeer? Read(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit ints in the machine's byte order.
        Span<byte> credentials = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) != credentials.Length)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }

        int pid = (int)ReadUInt(credentials);
        uint uid = ReadUInt(credentials[4..]);
        uint gid = ReadUInt(credentials[8..]);
        return new LocalPeer(pid, uid, gid, null, null) { SupplementaryGids = ReadGroups(socket) };
    }

    /// <summary>The same credentials with the user and group names the system gives them (null where it has none).</summary>
    public LocalPeer WithNames() => this with
    {
        User = UnixAccounts.UserName(Uid),
        Group = UnixAccounts.GroupName(Gid),
        SupplementaryGroups = [.. SupplementaryGids.Select(UnixAccounts.GroupName).OfType<string>()],
    };

    /// <summary>
    /// SO_PEERGROUPS: an array of gid_t, as many as the buffer holds; a buffer too small is ERANGE, so it grows
    /// (most processes have a handful of groups, the first try fits). Empty on kernels without the option.
    /// </summary>
    private static uint[] ReadGroups(Socket socket)
    {
        for (int count = 64; count <= MaxGroups; count *= 32)
        {
            byte[] buffer = new byte[count * sizeof(uint)];
            try
            {
                int length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
                uint[] gids = new uint[length / sizeof(uint)];
                for (int i = 0; i < gids.Length; i++)
                {
                    gids[i] = ReadUInt(buffer.AsSpan(i * sizeof(uint)));
                }

                return gids;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.MessageSize || ex.NativeErrorCode == 34 /* ERANGE */)
            {
            }
            catch (SocketException)
            {
                return [];
            }
        }

        return [];
    }

    private static uint ReadUInt(ReadOnlySpan<byte> bytes) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);
}
