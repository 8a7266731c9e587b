using System.Runtime.InteropServices;

namespace Mq.Broker.Transport;

/// <summary>
/// The few libc calls the Unix socket endpoint needs: user and group names through the system's own lookup
/// (getpwuid_r, getgrgid_r, getgrnam_r, so NSS sources such as LDAP count, not only /etc/passwd), and chown for the
/// socket file's group. Only the first fields of struct passwd and struct group are read (the name, and a group's
/// gid after two pointers), which have the same place on Linux and macOS.
/// </summary>
internal static unsafe partial class UnixAccounts
{
    private const int StructBytes = 256;
    private const int MaxBufferBytes = 1 << 20;
    private const int ERANGE = 34;

    /// <summary>The user name of <paramref name="uid"/>, or null when the system knows none.</summary>
    public static string? UserName(uint uid) => Lookup((entry, buffer, size, result) => getpwuid_r(uid, entry, buffer, size, result), out _);

    /// <summary>The group name of <paramref name="gid"/>, or null when the system knows none.</summary>
    public static string? GroupName(uint gid) => Lookup((entry, buffer, size, result) => getgrgid_r(gid, entry, buffer, size, result), out _);

    /// <summary>The gid of the group called <paramref name="name"/>, or null when there is none.</summary>
    public static uint? GroupId(string name) =>
        Lookup((entry, buffer, size, result) => getgrnam_r(name, entry, buffer, size, result), out uint gid) is null ? null : gid;

    /// <summary>This process's effective uid and gid (tests map them in a policy).</summary>
    public static (uint Uid, uint Gid) Current => (geteuid(), getegid());

    /// <summary>Sets the group of <paramref name="path"/> (the owner stays); the errno on failure, else 0.</summary>
    public static int ChangeGroup(string path, uint gid) => chown(path, uint.MaxValue, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Sets the process's umask and returns the previous one.</summary>
    public static uint SetUmask(uint mask) => umask(mask);

    private delegate int Call(byte* entry, byte* buffer, nuint size, byte** result);

    /// <summary>Runs a *_r lookup, growing its buffer while it says ERANGE; the name in the entry, and the uint after two pointers.</summary>
    private static string? Lookup(Call call, out uint idAfterTwoPointers)
    {
        idAfterTwoPointers = 0;
        byte* entry = stackalloc byte[StructBytes];
        for (int size = 1024; size <= MaxBufferBytes; size *= 4)
        {
            byte[] buffer = new byte[size];
            fixed (byte* strings = buffer)
            {
                byte* result = null;
                int error = call(entry, strings, (nuint)size, &result);
                if (error == ERANGE)
                {
                    continue;
                }

                if (error != 0 || result == null)
                {
                    return null;
                }

                idAfterTwoPointers = *(uint*)(entry + (2 * sizeof(nint)));
                return Marshal.PtrToStringUTF8(*(nint*)entry);
            }
        }

        return null;
    }

    [LibraryImport("libc")]
    private static partial int getpwuid_r(uint uid, byte* pwd, byte* buffer, nuint size, byte** result);

    [LibraryImport("libc")]
    private static partial int getgrgid_r(uint gid, byte* grp, byte* buffer, nuint size, byte** result);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int getgrnam_r(string name, byte* grp, byte* buffer, nuint size, byte** result);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc")]
    private static partial uint umask(uint mask);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc")]
    private static partial uint getegid();
}
