using System.Text;
using MessagePack;
using Mq.Broker.Persistence;
using Mq.Broker.Routing;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Streams;

/// <summary>
/// <c>$SYS.stream.create</c>, <c>delete</c>, <c>purge</c>, <c>info</c> and <c>list</c> (docs/protocol.md §8.8): requests
/// like those of <c>$SYS.info</c>, so under a policy each needs request permission on its name, the admin's right.
/// What touches the disk runs off the broker thread; the reply goes out when it is done.
/// </summary>
internal sealed partial class StreamHost
{
    public const string AdminPrefix = "$SYS.stream.";
    public const string Create = "$SYS.stream.create";
    public const string Delete = "$SYS.stream.delete";
    public const string Purge = "$SYS.stream.purge";
    public const string Info = "$SYS.stream.info";
    public const string List = "$SYS.stream.list";

    private static readonly MessagePackSerializerOptions Untrusted = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Names being created or deleted now: a second request for one waits for nothing and is refused.</summary>
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);

    /// <summary>A request to a <c>$SYS.stream.</c> name, already admitted (its request permission checked).</summary>
    public void Request(PeerSession requester, ulong rid, string name, ReadOnlyMemory<byte> payload, long now)
    {
        if (Arguments(requester, rid, name, payload, now) is not { } args)
        {
            return;
        }

        string? stream = args.GetValueOrDefault("name") as string;
        if (name == List)
        {
            Reply(requester, rid, ErrorCode.None, null, new Dictionary<string, object?>
            {
                ["total"] = _streams.Count,
                ["streams"] = _streams.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(InfoMap).ToArray(),
            }, now);
            return;
        }

        if (name is not (Create or Delete or Purge or Info))
        {
            Reply(requester, rid, ErrorCode.NoResponders, $"the broker has no service '{name}'; for streams it answers {Create}, {Delete}, {Purge}, {Info}, {List}", null, now);
            return;
        }

        if (string.IsNullOrEmpty(stream))
        {
            Reply(requester, rid, ErrorCode.Malformed, $"{name} needs the stream's name: {{\"name\": \"orders\"}}", null, now);
            return;
        }

        if (name == Create)
        {
            CreateStream(requester, rid, stream, args, now);
            return;
        }

        if (!_streams.TryGetValue(stream, out BrokerStream? target))
        {
            Reply(requester, rid, ErrorCode.NoStream, $"no stream '{stream}'", null, now);
            return;
        }

        switch (name)
        {
            case Info:
                Reply(requester, rid, ErrorCode.None, null, InfoMap(target), now);
                break;
            case Purge:
                _ = RunAsync(requester, rid, async () => new Dictionary<string, object?> { ["name"] = stream, ["purged"] = await target.Store.PurgeAsync() }, (result, _) =>
                {
                    // Readers skip by the index: after a purge nothing is current.
                    target.LastValues?.Clear();
                    return result as Dictionary<string, object?>;
                });
                break;
            default:
                DeleteStream(requester, rid, target, now);
                break;
        }
    }

    /// <summary>The map of a request's payload (empty for none), or null when it is not one (and the requester was answered).</summary>
    private Dictionary<string, object?>? Arguments(PeerSession requester, ulong rid, string name, ReadOnlyMemory<byte> payload, long now)
    {
        try
        {
            return payload.IsEmpty ? [] : MessagePackSerializer.Deserialize<Dictionary<string, object?>>(payload, Untrusted) ?? [];
        }
        catch (MessagePackSerializationException ex)
        {
            Reply(requester, rid, ErrorCode.Malformed, $"{name} takes a MessagePack map with string keys: {ex.Message}", null, now);
            return null;
        }
    }

    private void CreateStream(PeerSession requester, ulong rid, string name, Dictionary<string, object?> args, long now)
    {
        BrokerStreamOptions stream;
        try
        {
            stream = Parse(args);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            Reply(requester, rid, ErrorCode.Malformed, $"{Create}: {ex.Message}", null, now);
            return;
        }

        CreateStream(requester, rid, name, stream, InfoMap, now);
    }

    /// <summary>Creates a stream of settings already parsed (a bucket's, for one) and answers with <paramref name="describe"/> of it.</summary>
    private void CreateStream(PeerSession requester, ulong rid, string name, BrokerStreamOptions stream, Func<BrokerStream, Dictionary<string, object?>> describe, long now)
    {
        string? problem = stream.Problems(name).FirstOrDefault()
            ?? (stream.Storage == StreamStorage.File && _files is null ? "this broker has no Broker:StoreDirectory: it can create Memory streams only" : null);
        if (problem is not null)
        {
            Reply(requester, rid, ErrorCode.Malformed, problem, null, now);
            return;
        }

        if (_streams.TryGetValue(name, out BrokerStream? existing))
        {
            // Asking again for the same stream is not an error: a script may create what it needs at every start.
            if (Same(existing.Options, stream))
            {
                Reply(requester, rid, ErrorCode.None, null, describe(existing), now);
            }
            else
            {
                Reply(requester, rid, ErrorCode.Conflict, $"stream {name} exists with other settings: delete it first", null, now);
            }

            return;
        }

        string? conflict = _busy.Contains(name) ? $"stream {name} is being created or deleted" : Conflict(name, stream);
        if (conflict is not null)
        {
            Reply(requester, rid, ErrorCode.Conflict, conflict, null, now);
            return;
        }

        _busy.Add(name);
        _ = RunAsync(requester, rid, async () =>
        {
            IStreamStore store = await OpenStoreAsync(name, stream, CancellationToken.None).ConfigureAwait(false);
            if (stream.Storage == StreamStorage.File)
            {
                await StreamConfigFile.WriteAsync(options.StoreDirectory!, name, stream).ConfigureAwait(false);
            }

            return store;
        }, (store, _) =>
        {
            _busy.Remove(name);
            if (store is null)
            {
                return null;
            }

            var created = new BrokerStream(this, name, stream, (IStreamStore)store);
            _streams[name] = created;
            LogCreated(name, string.Join(' ', stream.Subjects), stream.Storage);
            return describe(created);
        });
    }

    private void DeleteStream(PeerSession requester, ulong rid, BrokerStream stream, long now)
    {
        // Gone at once for publishers and readers; the files go once the store has closed.
        _streams.Remove(stream.Name);
        _busy.Add(stream.Name);
        stream.Deleted = true;
        foreach (BrokerSubscription consumer in stream.Consumers.ToArray())
        {
            EndConsumer(consumer, ErrorCode.NoStream, $"stream {stream.Name} was deleted", now);
        }

        bool configured = options.Streams.ContainsKey(stream.Name);
        _ = RunAsync(requester, rid, async () =>
        {
            await stream.Store.DisposeAsync().ConfigureAwait(false);
            if (stream.Options.Storage == StreamStorage.File)
            {
                await _files!.DeleteStreamAsync(stream.Name).ConfigureAwait(false);
                StreamConfigFile.Delete(options.StoreDirectory, stream.Name);
            }

            return new Dictionary<string, object?> { ["name"] = stream.Name, ["deleted"] = true, ["configured"] = configured };
        }, (result, _) =>
        {
            _busy.Remove(stream.Name);
            LogDeleted(stream.Name, configured);
            return result as Dictionary<string, object?>;
        });
    }

    /// <summary>
    /// Runs <paramref name="work"/> off the broker thread, then on it <paramref name="then"/> (which turns the result
    /// into the reply map; null when the work failed) and answers the requester.
    /// </summary>
    private async Task RunAsync(PeerSession requester, ulong rid, Func<Task<object>> work, Func<object?, long, Dictionary<string, object?>?>? then)
    {
        object? result = null;
        Exception? error = null;
        try
        {
            result = await Task.Run(work).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        post(new BrokerAction(now =>
        {
            Dictionary<string, object?>? map = then is null ? result as Dictionary<string, object?> : then(error is null ? result : null, now);
            if (error is not null)
            {
                Reply(requester, rid, ErrorCode.StoreFailed, error.Message, null, now);
            }
            else
            {
                Reply(requester, rid, ErrorCode.None, null, map, now);
            }
        }));
    }

    private void Reply(PeerSession requester, ulong rid, ErrorCode status, string? error, Dictionary<string, object?>? map, long now)
    {
        if (requester.IsClosed)
        {
            return;
        }

        byte[] payload = map is null ? [] : MessagePackSerializer.Serialize(map, MessagePackSerializerOptions.Standard);
        MessagePackWriter w = writer.Begin(requester);
        CommandWriter.WriteReply(ref w, rid, status, error is null ? default : Encoding.UTF8.GetBytes(error), default, payload);
        writer.End(requester, ref w, now);
    }

    /// <summary>Opens a stream's store and remembers the message ids of its duplicate window (so a restart does not forget them).</summary>
    private async Task<BrokerStream> OpenStreamAsync(string name, BrokerStreamOptions stream, CancellationToken cancellationToken)
    {
        IStreamStore store = await OpenStoreAsync(name, stream, cancellationToken);
        var opened = new BrokerStream(this, name, stream, store);
        await IndexAsync(opened, cancellationToken);
        if (!opened.Duplicates.Enabled || store.State.Messages == 0)
        {
            return opened;
        }

        ulong? from = await store.FindSequenceAsync(DateTimeOffset.UtcNow - stream.DuplicateWindow, cancellationToken);
        while (from is { } next && next <= store.State.LastSequence)
        {
            IReadOnlyList<StoredMessage> batch = await store.ReadAsync(next, 10_000, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (StoredMessage message in batch)
            {
                if (MessageId(message.Headers) is { } id)
                {
                    opened.Duplicates.Add(id, message.Sequence, message.Timestamp);
                }
            }

            from = batch[^1].Sequence + 1;
        }

        return opened;
    }

    private async Task<IStreamStore> OpenStoreAsync(string name, BrokerStreamOptions stream, CancellationToken cancellationToken) =>
        stream.Storage == StreamStorage.Memory
            ? new MemoryStreamStore(stream.ToStore(name))
            : await _files!.OpenStreamAsync(stream.ToStore(name), cancellationToken);

    /// <summary>Why <paramref name="stream"/> cannot join the streams open now (a subject another captures), or null.</summary>
    private string? Conflict(string name, BrokerStreamOptions stream)
    {
        foreach (BrokerStream other in _streams.Values)
        {
            foreach (string pattern in stream.Subjects)
            {
                if (other.Options.Subjects.FirstOrDefault(p => Security.PatternRelation.Overlaps(p, pattern)) is { } taken)
                {
                    return $"stream {name} would capture '{pattern}', which stream {other.Name} captures ('{taken}'): a subject belongs to one stream at most";
                }
            }
        }

        return null;
    }

    private static bool Same(BrokerStreamOptions a, BrokerStreamOptions b) =>
        a.Subjects.SequenceEqual(b.Subjects) && a with { Subjects = [] } == b with { Subjects = [] };

    private static BrokerStreamOptions Parse(Dictionary<string, object?> args)
    {
        string[] known = ["name", "subjects", "max_messages", "max_bytes", "max_age_ms", "discard", "storage", "fsync_every_ms", "duplicate_window_ms", "max_per_subject"];
        if (args.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"unknown key '{unknown}' (known: {string.Join(", ", known)})");
        }

        return new BrokerStreamOptions
        {
            Subjects = args.GetValueOrDefault("subjects") switch
            {
                object[] list => [.. list.Select(s => s as string ?? throw new ArgumentException("subjects is a list of strings"))],
                string one => [one],
                _ => [],
            },
            MaxMessages = Number(args, "max_messages"),
            MaxBytes = Number(args, "max_bytes"),
            MaxAge = Number(args, "max_age_ms") is { } age ? TimeSpan.FromMilliseconds(age) : null,
            Discard = Enum.Parse<DiscardPolicy>(args.GetValueOrDefault("discard") as string ?? "old", ignoreCase: true),
            Storage = Enum.Parse<StreamStorage>(args.GetValueOrDefault("storage") as string ?? "file", ignoreCase: true),
            FsyncEveryMs = Number(args, "fsync_every_ms") is { } fsync ? checked((int)fsync) : null,
            DuplicateWindow = Number(args, "duplicate_window_ms") is { } window ? TimeSpan.FromMilliseconds(window) : TimeSpan.FromMinutes(2),
            MaxPerSubject = Number(args, "max_per_subject") is { } perSubject ? checked((int)perSubject) : null,
        };
    }

    /// <summary>An optional number of a request's map (MessagePack gives any integer type).</summary>
    private static long? Number(Dictionary<string, object?> args, string key) =>
        args.GetValueOrDefault(key) is { } value ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    private static Dictionary<string, object?> InfoMap(BrokerStream stream)
    {
        StreamState state = stream.Store.State;
        BrokerStreamOptions o = stream.Options;
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = stream.Name,
            ["subjects"] = o.Subjects,
            ["storage"] = o.Storage.ToString().ToLowerInvariant(),
            ["discard"] = o.Discard.ToString().ToLowerInvariant(),
            ["fsync_every_ms"] = o.FsyncEveryMs,
            ["max_messages"] = o.MaxMessages,
            ["max_bytes"] = o.MaxBytes,
            ["max_age_ms"] = o.MaxAge is { } age ? (long)age.TotalMilliseconds : null,
            ["duplicate_window_ms"] = (long)o.DuplicateWindow.TotalMilliseconds,
            ["max_per_subject"] = o.MaxPerSubject,
            ["subjects_kept"] = stream.LastValues?.Subjects,
            ["messages"] = state.Messages,
            ["bytes"] = state.Bytes,
            ["first_seq"] = state.FirstSequence,
            ["last_seq"] = stream.Committed,
            ["consumers"] = stream.Consumers.Count,
            ["stored"] = stream.Stored,
            ["duplicates"] = stream.Duplicated,
            ["refused"] = stream.Refused,
            ["durable_consumers"] = stream.Durables.Values.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d =>
            {
                Server.DurableConsumerStats figures = Figures(stream, d);
                return new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["name"] = d.Name,
                    ["ack_floor"] = figures.AckFloor,
                    ["pending"] = figures.Pending,
                    ["unacknowledged"] = figures.Unacknowledged,
                    ["active"] = figures.Members > 0,
                    ["members"] = figures.Members,
                    ["shared"] = figures.Members > 0 && d.Settings.Shared,
                };
            }).ToArray(),
            ["dead_lettered"] = stream.DeadLettered,
        };
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Stream {Stream} created: captures {Subjects}, {Storage}")]
    private partial void LogCreated(string stream, string subjects, StreamStorage storage);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Stream {Stream} deleted (in the configuration: {Configured}; it comes back empty at the next start if so)")]
    private partial void LogDeleted(string stream, bool configured);
}
