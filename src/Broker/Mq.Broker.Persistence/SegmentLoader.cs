using Microsoft.Extensions.Logging;

namespace Mq.Broker.Persistence;

/// <summary>
/// Rebuilds a stream's segments and state from its files on open, checking every record's checksum and that the
/// sequences run on without a gap across files; a torn tail of the last file is cut off (<see cref="RecordScanner"/>).
/// </summary>
internal sealed class SegmentLoader(string directory, ILogger logger)
{
    private Segment? _segment;
    private string _path = "";
    private ulong _expected;

    /// <summary>The highest floor record seen: messages below it were removed by limits or purge.</summary>
    public ulong Floor { get; private set; }

    public ulong LastSequence => _expected - 1;

    public async Task<List<Segment>> LoadAsync(CancellationToken cancellationToken)
    {
        var files = Directory.GetFiles(directory, "*.seg")
            .Select(path => (Ok: Segment.TryParseFileName(path, out ulong first), First: first, Path: path))
            .Where(file => file.Ok)
            .OrderBy(file => file.First)
            .ToList();
        var segments = new List<Segment>();
        try
        {
            _expected = files.Count > 0 ? files[0].First : 1;
            for (int i = 0; i < files.Count; i++)
            {
                (_, ulong first, _path) = files[i];
                if (first != _expected)
                    throw new StoreCorruptException(_path, 0, $"it starts at sequence {first} where {_expected} comes next, so segment files are missing");
                byte[] data = await File.ReadAllBytesAsync(_path, cancellationToken);
                _segment = Segment.Open(_path, first);
                segments.Add(_segment);
                int valid = RecordScanner.Scan(data, _path, isTail: i == files.Count - 1, logger, Visit);
                _segment.Length = valid;
                if (valid < data.Length)
                    await CutAsync(_path, valid, cancellationToken);
            }
            if (segments.Count == 0)
                segments.Add(Segment.Open(Path.Combine(directory, Segment.FileName(1)), 1));
            return segments;
        }
        catch
        {
            segments.ForEach(segment => segment.Close());
            throw;
        }
    }

    private void Visit(ReadOnlySpan<byte> record, in RecordHeader header, int offset)
    {
        switch (header.Kind)
        {
            case RecordKind.Message when header.Sequence == _expected:
                if (_segment!.Entries.Count == 0)
                    _segment.FirstTimestamp = header.Timestamp;
                _segment.LastTimestamp = header.Timestamp;
                _segment.Entries.Add(new IndexEntry(offset, header.Length));
                _expected++;
                break;
            case RecordKind.Message:
                throw new StoreCorruptException(_path, offset, $"it holds sequence {header.Sequence} where {_expected} comes next");
            case RecordKind.Floor:
                Floor = Math.Max(Floor, header.Sequence);
                break;
            default:
                throw new StoreCorruptException(_path, offset, $"a {header.Kind} record does not belong in a segment file");
        }
    }

    private static async Task CutAsync(string path, long length, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        file.SetLength(length);
        await file.FlushAsync(cancellationToken);
        file.Flush(flushToDisk: true);
    }
}
