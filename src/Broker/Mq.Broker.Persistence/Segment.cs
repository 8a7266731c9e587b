using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Mq.Broker.Persistence;

/// <summary>
/// One segment file: the messages from <see cref="FirstSequence"/> on, with an index of their offsets. Readers hold
/// a reference while they read, so a segment removed by limits or purge closes its handle only after the last read.
/// The store's lock guards everything here but <see cref="Writer"/>, which only the writer loop touches.
/// </summary>
internal sealed class Segment
{
    private int _readers;
    private bool _retired;

    private Segment(string path, ulong firstSequence, SafeFileHandle readHandle)
    {
        Path = path;
        FirstSequence = firstSequence;
        ReadHandle = readHandle;
    }

    public string Path { get; }

    public ulong FirstSequence { get; }

    public SafeFileHandle ReadHandle { get; }

    public List<IndexEntry> Entries { get; } = [];

    /// <summary>The end of the last record written and published (messages and floor records).</summary>
    public long Length { get; set; }

    public long FirstTimestamp { get; set; }

    public long LastTimestamp { get; set; }

    /// <summary>The active segment's append handle; null once sealed.</summary>
    public FileStream? Writer { get; private set; }

    public ulong NextSequence => FirstSequence + (ulong)Entries.Count;

    public static string FileName(ulong firstSequence) => firstSequence.ToString("D20", CultureInfo.InvariantCulture) + ".seg";

    public static bool TryParseFileName(string path, out ulong firstSequence) =>
        ulong.TryParse(System.IO.Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out firstSequence)
        && System.IO.Path.GetExtension(path) == ".seg";

    public static Segment Open(string path, ulong firstSequence) =>
        new(path, firstSequence, File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    public void OpenWriter()
    {
        Writer = new FileStream(path: Path, mode: FileMode.Open, access: FileAccess.Write,
            share: FileShare.Read | FileShare.Delete, bufferSize: 0);
        Writer.SetLength(Length);
        Writer.Position = Length;
    }

    public void Seal()
    {
        Writer?.Flush(flushToDisk: true);
        Writer?.Dispose();
        Writer = null;
    }

    public void Acquire() => _readers++;

    /// <summary>Returns true when the caller must close the segment (retired and unread).</summary>
    public bool Release() => --_readers == 0 && _retired;

    public bool Retire()
    {
        _retired = true;
        return _readers == 0;
    }

    public void Close()
    {
        Writer?.Dispose();
        Writer = null;
        ReadHandle.Dispose();
    }
}
