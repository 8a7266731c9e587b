using System.Text;
using MessagePack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mq.Broker.Events;
using Mq.Broker.Persistence;
using Mq.Broker.Routing;
using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Streams;

/// <summary>
/// The broker's durable streams: captures every publish a stream's patterns match, hands it to the store, and answers
/// durable publishers once the store confirmed (docs/protocol.md §7.2). The store's work runs off the broker thread;
/// its completions come back through the broker's queue, in the order the appends were made. Broker thread only,
/// except <see cref="OpenAsync"/> (before the broker thread starts) and <see cref="DisposeAsync"/> (after it stopped).
/// </summary>
internal sealed partial class StreamHost(BrokerOptions options, PeerWriter writer, BrokerEvents events, Action<IBrokerWork> post, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    /// <summary>The header whose value identifies a message for duplicate detection.</summary>
    public const string MessageIdHeader = "mq-msg-id";

    /// <summary>
    /// Bytes of captured messages a stream may have waiting for its store before new ones are refused: 64 MiB, or an
    /// eighth of the memory the process may use (a GC heap limit, a container's), whichever is less, so that a burst
    /// of large messages on a broker with a small memory budget is refused rather than run it out of memory.
    /// </summary>
    public static readonly long MaxPendingBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes is > 0 and var available
        ? Math.Min(64L * 1024 * 1024, available / 8)
        : 64L * 1024 * 1024;

    private readonly Dictionary<string, BrokerStream> _streams = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger<StreamHost>();
    private readonly RateLimit _failureLog = new(5);
    private FileMessageStore? _files;
    private long _lastExpiry;

    /// <summary>Registers consumers as subscriptions (sid, limits, budgets); set by the engine.</summary>
    public PubSubRouter? Router { get; set; }

    public int Count => _streams.Count;

    /// <summary>What is wrong with the stream settings of <paramref name="options"/>, one line each.</summary>
    public static IEnumerable<string> Problems(BrokerOptions options)
    {
        var seen = new List<(string Name, string Pattern)>();
        foreach ((string name, BrokerStreamOptions stream) in options.Streams ?? [])
        {
            foreach (string problem in stream.Problems(name))
            {
                yield return problem;
            }

            if (stream.Storage == StreamStorage.File && string.IsNullOrWhiteSpace(options.StoreDirectory))
            {
                yield return $"Broker:Streams:{name} keeps its messages in files: set Broker:StoreDirectory (or Storage = Memory)";
            }

            foreach (string pattern in stream.Subjects ?? [])
            {
                if (seen.FirstOrDefault(s => Security.PatternRelation.Overlaps(s.Pattern, pattern)) is { Name: not null } other)
                {
                    yield return $"Broker:Streams:{name} captures '{pattern}', which stream {other.Name} captures too ('{other.Pattern}'): a subject belongs to one stream at most";
                }
            }

            seen.AddRange((stream.Subjects ?? []).Select(p => (name, p)));
        }
    }

    /// <summary>Opens the store and every stream (configured, then created at run time), before the broker thread starts.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.StoreDirectory))
        {
            _files = await FileMessageStore.OpenAsync(new FileStoreOptions { Directory = options.StoreDirectory }, loggerFactory, cancellationToken: cancellationToken);
        }

        foreach ((string name, BrokerStreamOptions stream) in options.Streams)
        {
            _streams[name] = await OpenStreamAsync(name, stream, cancellationToken);
        }

        foreach ((string name, BrokerStreamOptions stream) in StreamConfigFile.ReadAll(options.StoreDirectory, _logger))
        {
            string? skipped = _streams.ContainsKey(name) ? "the configuration defines a stream of that name" : Conflict(name, stream);
            if (skipped is not null)
            {
                LogCreatedSkipped(name, skipped);
                continue;
            }

            _streams[name] = await OpenStreamAsync(name, stream, cancellationToken);
        }

        foreach (BrokerStream stream in _streams.Values)
        {
            LogOpened(stream.Name, string.Join(' ', stream.Options.Subjects), stream.Options.Storage, stream.Store.State.Messages, stream.Store.State.LastSequence);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (BrokerStream stream in _streams.Values)
        {
            await stream.Store.DisposeAsync();
        }

        _streams.Clear();
        if (_files is not null)
        {
            await _files.DisposeAsync();
        }
    }

    /// <summary>
    /// A PUB (or DPUB, <paramref name="durable"/>) that passed every check and was routed: the stream capturing its
    /// subject stores it. A durable publish is answered here or when the store confirms.
    /// </summary>
    public void Capture(PeerSession? publisher, ulong reference, bool durable, ReadOnlySpan<char> subject, ReadOnlyMemory<byte> subjectUtf8, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload, long now)
    {
        BrokerStream? stream = Find(subject);
        if (stream is null)
        {
            if (durable)
            {
                writer.Refuse(publisher!, reference, ErrorCode.NoStream, $"no stream captures '{subject}'", now);
            }

            return;
        }

        string? id = stream.Duplicates.Enabled ? MessageId(headers) : null;
        if (id is not null && Duplicate(stream, id, publisher!, reference, durable, now))
        {
            return;
        }

        if (!ExpectedHolds(stream, publisher, reference, durable, subject, headers, now))
        {
            return;
        }

        if (stream.PendingBytes > MaxPendingBytes)
        {
            Refuse(stream, durable ? publisher : null, reference, ErrorCode.StoreFailed,
                $"stream {stream.Name} did not store '{subject}': more than {MaxPendingBytes} bytes wait for its store to write them", now);
            return;
        }

        var append = new PendingAppend(stream, subject.ToString(), subjectUtf8.ToArray(), headers.ToArray(), payload.ToArray(), id);
        if (durable)
        {
            append.Waiting.Add((publisher!, reference, false));
        }

        stream.Pending.Enqueue(append);
        stream.PendingBytes += append.Bytes;
        CountPending(stream, append.Subject, +1);
        if (id is not null)
        {
            stream.PendingIds[id] = append;
        }

        ValueTask<ulong> task;
        try
        {
            task = stream.Store.AppendAsync(new StreamMessage(append.Subject, append.Headers, append.Payload));
        }
        catch (Exception ex) when (ex is StoreException or ObjectDisposedException or ArgumentException)
        {
            append.Error = ex;
            Completed(append, now);
            return;
        }

        if (task.IsCompletedSuccessfully)
        {
            append.Sequence = task.Result;
            Completed(append, now);
        }
        else
        {
            _ = AwaitAsync(append, task);
        }
    }

    /// <summary>Broker thread: an append finished; those ahead of it that are done too are answered, in order.</summary>
    public void Completed(PendingAppend append, long now)
    {
        append.Done = true;
        BrokerStream stream = append.Stream;
        while (stream.Pending.TryPeek(out PendingAppend? head) && head.Done)
        {
            stream.Pending.Dequeue();
            stream.PendingBytes -= head.Bytes;
            CountPending(stream, head.Subject, -1);
            if (head.MessageId is { } id)
            {
                stream.PendingIds.Remove(id);
            }

            Finish(head, now);
        }
    }

    /// <summary>Tick: redelivers what durable consumers did not acknowledge in time; forgets message ids older than their window (once a second).</summary>
    public void Tick(long now)
    {
        Redeliver(now);
        if (now - _lastExpiry < 1000)
        {
            return;
        }

        _lastExpiry = now;
        long unixNow = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (BrokerStream stream in _streams.Values)
        {
            stream.Duplicates.Expire(unixNow);
        }
    }

    private BrokerStream? Find(ReadOnlySpan<char> subject)
    {
        foreach (BrokerStream stream in _streams.Values)
        {
            if (stream.Captures(subject))
            {
                return stream;
            }
        }

        return null;
    }

    private async Task AwaitAsync(PendingAppend append, ValueTask<ulong> task)
    {
        try
        {
            append.Sequence = await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Out of memory too: a faulted task nobody awaits would leave the publishers waiting unanswered; they are refused instead.
            append.Error = ex;
        }

        post(append);
    }

    private void Finish(PendingAppend append, long now)
    {
        BrokerStream stream = append.Stream;
        if (stream.Deleted)
        {
            foreach ((PeerSession publisher, ulong reference, _) in append.Waiting)
            {
                RefuseDurable(publisher, reference, ErrorCode.NoStream, $"stream {stream.Name} was deleted before it stored the message", now);
            }

            return;
        }

        if (append.Error is { } error)
        {
            (ErrorCode code, string reason) = error is StreamFullException
                ? (ErrorCode.StreamFull, error.Message)
                : (ErrorCode.StoreFailed, error is StoreException
                    ? $"stream {stream.Name} could not store '{append.Subject}': {error.Message}"
                    : $"stream {stream.Name} could not store '{append.Subject}': {error.Message}; nothing stored before is lost");
            stream.Refused++;
            if (_failureLog.TryLog(now, _logger, (l, n) => LogFailuresSuppressed(l, n)))
            {
                if (code == ErrorCode.StoreFailed)
                {
                    LogStoreFailed(stream.Name, stream.Refused, error);
                }
                else
                {
                    LogRefused(stream.Name, stream.Refused, reason);
                }
            }

            foreach ((PeerSession publisher, ulong reference, _) in append.Waiting)
            {
                RefuseDurable(publisher, reference, code, reason, now);
            }

            return;
        }

        stream.Committed = append.Sequence;
        stream.Stored++;
        KeepLastValue(stream, append.Subject, append.Sequence, append.Headers);
        long storedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (append.MessageId is { } id)
        {
            stream.Duplicates.Add(id, append.Sequence, storedAt);
        }

        foreach ((PeerSession publisher, ulong reference, bool duplicate) in append.Waiting)
        {
            Stored(publisher, reference, stream.Name, append.Sequence, duplicate, now);
        }

        // By index: a delivery can flush, and a full queue never removes a consumer here.
        for (int i = 0; i < stream.Consumers.Count; i++)
        {
            Live(stream.Consumers[i], append, storedAt, now);
        }
    }

    private void Refuse(BrokerStream stream, PeerSession? publisher, ulong reference, ErrorCode code, string reason, long now)
    {
        stream.Refused++;
        if (_failureLog.TryLog(now, _logger, (l, n) => LogFailuresSuppressed(l, n)))
        {
            LogRefused(stream.Name, stream.Refused, reason);
        }

        if (publisher is not null)
        {
            RefuseDurable(publisher, reference, code, reason, now);
        }
    }

    private void RefuseDurable(PeerSession publisher, ulong reference, ErrorCode code, string reason, long now) =>
        RefuseLater(publisher, CommandCode.DurablePub, reference, code, reason, now);

    /// <summary>An ERROR for a command read earlier: it names that command, not the one being dispatched now.</summary>
    private void RefuseLater(PeerSession peer, CommandCode command, ulong reference, ErrorCode code, string reason, long now)
    {
        if (!peer.IsClosed)
        {
            CommandCode previous = writer.Command;
            writer.Command = command;
            writer.Refuse(peer, reference, code, reason, now);
            writer.Command = previous;
        }
    }

    private void Stored(PeerSession publisher, ulong reference, string stream, ulong sequence, bool duplicate, long now)
    {
        if (publisher.IsClosed)
        {
            return;
        }

        MessagePackWriter w = writer.Begin(publisher);
        CommandWriter.WriteStored(ref w, reference, stream, sequence, duplicate);
        writer.End(publisher, ref w, now);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {Stream} open: captures {Subjects}, {Storage}, {Messages} messages up to sequence {Last}")]
    private partial void LogOpened(string stream, string subjects, StreamStorage storage, long messages, ulong last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream} created at run time is not opened: {Reason}")]
    private partial void LogCreatedSkipped(string stream, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream {Stream} could not store a message ({Refused} refused so far); what it stored is kept")]
    private partial void LogStoreFailed(string stream, long refused, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream} refused a message ({Refused} so far): {Reason}")]
    private partial void LogRefused(string stream, long refused, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more stream refusals were not logged")]
    private static partial void LogFailuresSuppressed(ILogger logger, long count);
}
