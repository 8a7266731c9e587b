using System.Globalization;
using MessagePack;
using Mq.Errors;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Client;

/// <summary>
/// A key-value bucket (docs/protocol.md §8.9): the stream <c>KV_&lt;bucket&gt;</c> keeping the last revisions of each
/// key under <c>$KV.&lt;bucket&gt;.&lt;key&gt;</c>. Writes are durable publishes (so they need publish permission on the
/// key's subject), reads are broker-side lookups or a stream consumer (subscribe permission). A key is a subject without
/// wildcards: dot-separated tokens, no whitespace. Thread-safe; as long-lived as its client.
/// </summary>
public sealed class MqKeyValue
{
    /// <summary>The header a write's operation travels in: absent for a put, <c>DEL</c> or <c>PURGE</c>.</summary>
    public const string OperationHeader = "mq-kv-op";

    /// <summary>The header of a compare-and-set: the revision the key must be at (0: none) for the write to be stored.</summary>
    public const string ExpectedRevisionHeader = "mq-expected-rev";

    /// <summary>The header that makes a write replace every revision its key kept (a purge).</summary>
    public const string RollupHeader = "mq-rollup";

    private static readonly MessagePackSerializerOptions Untrusted = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);
    private readonly MqClient _client;
    private readonly string _prefix;

    internal MqKeyValue(MqClient client, string bucket)
    {
        if (BucketProblem(bucket) is { } problem)
        {
            throw new ArgumentException(problem, nameof(bucket));
        }

        _client = client;
        Bucket = bucket;
        _prefix = $"$KV.{bucket}.";
    }

    public string Bucket { get; }

    /// <summary>The stream holding the bucket.</summary>
    public string Stream => "KV_" + Bucket;

    /// <summary>The current value of <paramref name="key"/>, or null when it has none (never written, deleted, purged or expired).</summary>
    /// <exception cref="MqException">Code <see cref="ErrorCode.NoStream"/> when there is no such bucket.</exception>
    /// <exception cref="PermissionDeniedException">The identity may not subscribe to the key's subject.</exception>
    public async ValueTask<MqKeyValueEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        MqKeyValueEntry? entry = await LatestAsync(key, cancellationToken).ConfigureAwait(false);
        return entry is { Operation: MqKeyValueOperation.Put } ? entry : null;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, whatever it was; returns the new revision.</summary>
    public ValueTask<ulong> PutAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        WriteAsync(key, value, null, null, cancellationToken);

    /// <summary>
    /// Sets <paramref name="key"/> only if it has no value (never written, or deleted, purged or expired since); returns
    /// the new revision. Throws <see cref="MqKeyValueConflictException"/> if it has one.
    /// </summary>
    public async ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        try
        {
            return await UpdateAsync(key, value, 0, cancellationToken).ConfigureAwait(false);
        }
        catch (MqKeyValueConflictException)
        {
            // A deleted key still has a revision (its tombstone): creating it again expects that one.
            MqKeyValueEntry? latest = await LatestAsync(key, cancellationToken).ConfigureAwait(false);
            if (latest is null or { Operation: MqKeyValueOperation.Put })
            {
                throw new MqKeyValueConflictException(key, 0, latest is null
                    ? $"key '{key}' of bucket {Bucket} was being written by another writer: read it and try again"
                    : $"key '{key}' of bucket {Bucket} exists (revision {latest.Revision})");
            }

            return await UpdateAsync(key, value, latest.Revision, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sets <paramref name="key"/> only if it is at <paramref name="expectedRevision"/> (0: it has none): a compare-and-set.
    /// Throws <see cref="MqKeyValueConflictException"/> if another write came first.
    /// </summary>
    public ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
        WriteAsync(key, value, new Dictionary<string, string>(StringComparer.Ordinal) { [ExpectedRevisionHeader] = expectedRevision.ToString(CultureInfo.InvariantCulture) }, expectedRevision, cancellationToken);

    /// <summary>Deletes <paramref name="key"/>: a tombstone revision (the history before it stays); returns its revision.</summary>
    public ValueTask<ulong> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        WriteAsync(key, default, new Dictionary<string, string>(StringComparer.Ordinal) { [OperationHeader] = "DEL" }, null, cancellationToken);

    /// <summary>Deletes <paramref name="key"/> and the revisions it kept: only the purge itself stays in its history; returns its revision.</summary>
    public ValueTask<ulong> PurgeAsync(string key, CancellationToken cancellationToken = default) =>
        WriteAsync(key, default, new Dictionary<string, string>(StringComparer.Ordinal) { [OperationHeader] = "PURGE", [RollupHeader] = "sub" }, null, cancellationToken);

    /// <summary>Every revision the bucket keeps of <paramref name="key"/> (at most its history), oldest first, deletes included.</summary>
    public async ValueTask<IReadOnlyList<MqKeyValueEntry>> HistoryAsync(string key, CancellationToken cancellationToken = default)
    {
        EnsureKey(key);
        Dictionary<string, object?> reply = await AskAsync("$SYS.kv.history", new() { ["key"] = key }, cancellationToken).ConfigureAwait(false);
        var history = new List<MqKeyValueEntry>();

        // The broker names the older revisions whose values did not fit its reply: each is asked for by itself.
        foreach (ulong revision in reply.GetValueOrDefault("omitted_revisions") is object[] omitted ? omitted.Select(Unsigned) : [])
        {
            Dictionary<string, object?> one = await AskAsync("$SYS.kv.get", new() { ["key"] = key, ["revision"] = revision }, cancellationToken).ConfigureAwait(false);
            if (one.GetValueOrDefault("found") is true)
            {
                history.Add(Entry(one.ToDictionary(p => (object)p.Key, p => p.Value)));
            }
        }

        history.AddRange(reply.GetValueOrDefault("entries") is object[] entries ? entries.OfType<Dictionary<object, object?>>().Select(Entry) : []);
        return history;
    }

    /// <summary>
    /// The keys with a value (deleted ones left out) that <paramref name="filter"/> matches (a pattern of keys; all by
    /// default). Throws <see cref="MqException"/> with <see cref="ErrorCode.LimitExceeded"/> when more match than one reply
    /// holds (about half the broker's payload limit of key bytes).
    /// </summary>
    public async ValueTask<IReadOnlyList<string>> KeysAsync(string filter = ">", CancellationToken cancellationToken = default)
    {
        EnsureKey(filter, SubjectKind.Pattern);
        Dictionary<string, object?> reply = await AskAsync("$SYS.kv.keys", new() { ["filter"] = filter }, cancellationToken).ConfigureAwait(false);
        string[] keys = reply.GetValueOrDefault("keys") is object[] list ? [.. list.OfType<string>()] : [];
        if (Unsigned(reply.GetValueOrDefault("omitted")) is var omitted and > 0)
        {
            throw new MqException(ErrorCode.LimitExceeded, $"bucket {Bucket} has {keys.Length + (long)omitted} keys matching '{filter}', more than one reply holds ({keys.Length}): list fewer with a narrower filter");
        }

        return keys;
    }

    /// <summary>
    /// Watches the keys <paramref name="filter"/> matches: the current revision of each (deletes included) first, in
    /// revision order, then every change as it is stored. <see cref="MqKeyValueWatch.InitialValuesDone"/> completes when
    /// the current ones have been handed out. Needs subscribe permission on the keys' subjects.
    /// </summary>
    public async ValueTask<MqKeyValueWatch> WatchAsync(string filter = ">", CancellationToken cancellationToken = default)
    {
        EnsureKey(filter, SubjectKind.Pattern);

        // The newest revision among the current values now; the consumer below gets it, or a newer one of its key, first.
        Dictionary<string, object?> keys = await AskAsync("$SYS.kv.keys", new() { ["filter"] = filter, ["include_deleted"] = true, ["limit"] = 0 }, cancellationToken).ConfigureAwait(false);
        ulong revision = Unsigned(keys.GetValueOrDefault("revision"));
        MqSubscription consumer = await _client.ConsumeAsync(Stream, _prefix + filter, StreamStart.LastPerSubject, cancellationToken).ConfigureAwait(false);
        return new MqKeyValueWatch(this, consumer, revision);
    }

    /// <summary>What is wrong with a bucket's name, or null.</summary>
    internal static string? BucketProblem(string? bucket) =>
        string.IsNullOrEmpty(bucket) ? "a bucket needs a name"
        : bucket.Length > 64 || !bucket.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? $"bucket '{bucket}': a bucket name is 1 to 64 letters, digits, '-' or '_'"
        : null;

    /// <summary>The entry a watch's message is.</summary>
    internal MqKeyValueEntry Entry(MqMessage message) => new(
        Bucket,
        message.Subject.StartsWith(_prefix, StringComparison.Ordinal) ? message.Subject[_prefix.Length..] : message.Subject,
        message.Data,
        message.StreamSequence,
        message.StoredAt ?? DateTimeOffset.UnixEpoch,
        Operation(message.Headers?.GetValueOrDefault(OperationHeader)));

    /// <summary>The newest revision of <paramref name="key"/>, deletes included, or null.</summary>
    private async ValueTask<MqKeyValueEntry?> LatestAsync(string key, CancellationToken cancellationToken)
    {
        EnsureKey(key);
        Dictionary<string, object?> reply = await AskAsync("$SYS.kv.get", new() { ["key"] = key }, cancellationToken).ConfigureAwait(false);
        return reply.GetValueOrDefault("found") is true ? Entry(reply.ToDictionary(p => (object)p.Key, p => p.Value)) : null;
    }

    private async ValueTask<ulong> WriteAsync(string key, ReadOnlyMemory<byte> value, IReadOnlyDictionary<string, string>? headers, ulong? expected, CancellationToken cancellationToken)
    {
        EnsureKey(key);
        try
        {
            DurableAck ack = await _client.PublishDurableAsync(_prefix + key, value, headers: headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            return ack.Sequence;
        }
        catch (MqException ex) when (ex.Code == ErrorCode.Conflict && expected is { } revision && ex is not MqKeyValueConflictException)
        {
            throw new MqKeyValueConflictException(key, revision, $"key '{key}' of bucket {Bucket} is not at revision {revision}: {ex.Message}");
        }
        catch (MqException ex) when (ex.Code == ErrorCode.NoStream)
        {
            throw new MqException(ErrorCode.NoStream, $"no key-value bucket '{Bucket}' ({ex.Message})", ex);
        }
    }

    private async ValueTask<Dictionary<string, object?>> AskAsync(string service, Dictionary<string, object?> args, CancellationToken cancellationToken)
    {
        args["bucket"] = Bucket;
        MqReply reply = await _client.RequestAsync(service, MessagePackSerializer.Serialize(args, MessagePackSerializerOptions.Standard, cancellationToken), cancellationToken: cancellationToken).ConfigureAwait(false);
        return MessagePackSerializer.Deserialize<Dictionary<string, object?>>(reply.Data, Untrusted, cancellationToken) ?? [];
    }

    private MqKeyValueEntry Entry(Dictionary<object, object?> map) => new(
        Bucket,
        map.GetValueOrDefault("key") as string ?? "",
        map.GetValueOrDefault("value") as byte[] ?? [],
        Unsigned(map.GetValueOrDefault("revision")),
        DateTimeOffset.FromUnixTimeMilliseconds((long)Unsigned(map.GetValueOrDefault("created_ms"))),
        Operation(map.GetValueOrDefault("op") as string));

    private static MqKeyValueOperation Operation(string? op) => op switch
    {
        "DEL" => MqKeyValueOperation.Delete,
        "PURGE" => MqKeyValueOperation.Purge,
        _ => MqKeyValueOperation.Put,
    };

    private static ulong Unsigned(object? value) => value is null ? 0 : Convert.ToUInt64(value, CultureInfo.InvariantCulture);

    /// <summary>A key to write or read is a literal subject's tail; a filter may hold wildcards.</summary>
    private static void EnsureKey(string key, SubjectKind kind = SubjectKind.Publish)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Subject.Validate(key, kind) is { } error)
        {
            string what = kind == SubjectKind.Publish ? "a key (tokens separated by '.', no wildcards '*' or '>')" : "a key filter";
            throw new ArgumentException($"'{key}' is not {what}: {error}", nameof(key));
        }
    }
}
