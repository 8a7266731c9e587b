using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Mq.Broker.Persistence;

/// <summary>
/// A stream in segment files. One writer loop owns the files and commits whatever appends are waiting as one write
/// and one fsync (group commit); readers read published records concurrently through their own handles.
/// </summary>
internal sealed partial class FileStreamStore : IStreamStore
{
    private const int MaxReadMessages = 10_000;
    private const int MaxReadBytes = 1024 * 1024;

    private readonly object _lock = new();
    private readonly List<Segment> _segments;
    private readonly Channel<WriteRequest> _requests;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<FileStreamStore> _onDisposed;
    private readonly ITimer? _timer;
    private readonly Task _writer;
    private readonly FileConsumerPositions _consumers;
    private ulong _first;
    private ulong _last;
    private long _bytes;
    private long _lastTimestamp;
    private bool _disposed;

    private FileStreamStore(string directory, StreamOptions options, List<Segment> segments, SegmentLoader loaded,
        FileConsumerPositions consumers, ILogger logger, TimeProvider time, Action<FileStreamStore> onDisposed)
    {
        _directory = directory;
        Options = options;
        _consumers = consumers;
        _segments = segments;
        _logger = logger;
        _time = time;
        _onDisposed = onDisposed;
        _last = loaded.LastSequence;
        _first = Math.Clamp(Math.Max(loaded.Floor, segments[0].FirstSequence), 1, _last + 1);
        foreach (Segment segment in segments)
        {
            for (int i = 0; i < segment.Entries.Count; i++)
                _bytes += segment.FirstSequence + (ulong)i >= _first ? segment.Entries[i].Length : 0;
        }
        _lastTimestamp = segments.Where(segment => segment.Entries.Count > 0).Select(segment => segment.LastTimestamp).DefaultIfEmpty().Max();
        Active.OpenWriter();
        RetireBelowFloor();
        ResetDraft();
        if (DiscardOld(_time.GetUtcNow().ToUnixTimeMilliseconds()))
            WriteFloor(_first, sync: false);
        _requests = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(4096) { SingleReader = true });
        if (TickPeriod(options) is { } period)
            _timer = time.CreateTimer(_ => _requests.Writer.TryWrite(WriteRequest.Tick), null, period, period);
        _writer = Task.Run(RunWriterAsync);
    }

    public string Name => Options.Name;

    public StreamOptions Options { get; }

    public IConsumerPositions Consumers => _consumers;

    public StreamState State
    {
        get
        {
            lock (_lock)
                return new StreamState(_first, _last, (long)(_last + 1 - _first), _bytes);
        }
    }

    private Segment Active => _segments[^1];

    public static async ValueTask<FileStreamStore> OpenAsync(string directory, StreamOptions options, ILogger logger,
        TimeProvider time, Action<FileStreamStore> onDisposed, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var loader = new SegmentLoader(directory, logger);
        List<Segment> segments = await loader.LoadAsync(cancellationToken);
        FileConsumerPositions consumers;
        try
        {
            consumers = await FileConsumerPositions.OpenAsync(Path.Combine(directory, "consumers.log"), logger, cancellationToken);
        }
        catch
        {
            segments.ForEach(segment => segment.Close());
            throw;
        }
        return new FileStreamStore(directory, options, segments, loader, consumers, logger, time, onDisposed);
    }

    public ValueTask<ulong> AppendAsync(StreamMessage message, CancellationToken cancellationToken = default) =>
        EnqueueAsync(WriteRequest.Append(message, RecordSize(message), cancellationToken), cancellationToken);

    public async ValueTask<AppendResult> AppendAsync(IReadOnlyList<StreamMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
            throw new ArgumentException("An append needs at least one message.", nameof(messages));
        long bytes = 0;
        for (int i = 0; i < messages.Count; i++)
            bytes += RecordSize(messages[i]);
        ulong first = await EnqueueAsync(WriteRequest.Append(messages, bytes, cancellationToken), cancellationToken);
        return new AppendResult(first, messages.Count);
    }

    public async ValueTask<long> PurgeAsync(CancellationToken cancellationToken = default) =>
        (long)await EnqueueAsync(WriteRequest.Purge(), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _timer?.Dispose();
        _requests.Writer.TryComplete();
        await _writer;
        lock (_lock)
            _segments.ForEach(segment => segment.Close());
        await _consumers.DisposeAsync();
        _onDisposed(this);
    }

    private async ValueTask<ulong> EnqueueAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _requests.Writer.WriteAsync(request, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException($"stream '{Name}'", "The stream is closed.");
        }
        return await request.Completion!.Task;
    }

    /// <summary>How often the writer loop must wake with no appends: to fsync within the interval, to drop aged messages.</summary>
    private static TimeSpan? TickPeriod(StreamOptions options)
    {
        TimeSpan? age = options.Limits.MaxAge is { } maxAge ? TimeSpan.FromTicks(Math.Min(maxAge.Ticks / 2, TimeSpan.TicksPerSecond)) : null;
        return (options.Fsync.Interval, age) switch
        {
            ({ } fsync, { } expiry) => fsync < expiry ? fsync : expiry,
            (var fsync, var expiry) => fsync ?? expiry,
        };
    }

    private static long RecordSize(StreamMessage message)
    {
        ArgumentNullException.ThrowIfNull(message.Subject, nameof(message.Subject));
        int subject = RecordCodec.SubjectBytes(message.Subject);
        long size = RecordCodec.Size(subject, message.Headers.Length, message.Payload.Length);
        if (subject > ushort.MaxValue || size > StreamOptions.MaxRecordBytes)
            throw new ArgumentException(
                $"A message of {size} bytes (subject {subject} bytes) is over the limit of {StreamOptions.MaxRecordBytes} bytes a record may have (subjects up to {ushort.MaxValue}).",
                nameof(message));
        return size;
    }

    /// <summary>The segment holding <paramref name="sequence"/>; under the lock, for a stored sequence.</summary>
    private int Locate(ulong sequence)
    {
        int low = 0, high = _segments.Count - 1;
        while (low < high)
        {
            int middle = (low + high + 1) / 2;
            if (_segments[middle].FirstSequence <= sequence)
                low = middle;
            else
                high = middle - 1;
        }
        return low;
    }

    private void ReleaseSegment(Segment segment)
    {
        lock (_lock)
        {
            if (segment.Release())
                segment.Close();
        }
    }
}
