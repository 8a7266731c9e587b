using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Mq.Broker.Persistence;

/// <summary>
/// fdatasync(2) on Linux: it makes the data and the file's size durable as fsync does, without also forcing out the
/// timestamps every write changes. Elsewhere, FileStream's own fsync.
/// </summary>
internal static partial class NativeSync
{
    public static void FlushToDisk(FileStream file)
    {
        if (!OperatingSystem.IsLinux())
        {
            file.Flush(flushToDisk: true);
            return;
        }
        if (FdataSync(file.SafeFileHandle) != 0)
            throw new IOException($"fdatasync of {file.Name} failed: {Marshal.GetLastPInvokeErrorMessage()}", Marshal.GetLastPInvokeError());
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(SafeFileHandle file);
}
