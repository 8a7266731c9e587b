using Mq.Broker.Persistence;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Broker.Streams;

/// <summary>
/// Key-value buckets (docs/protocol.md §8.9): a bucket <c>b</c> is the stream <c>KV_b</c> capturing <c>$KV.b.&gt;</c>
/// and keeping the last values of each key (MaxPerSubject = its history). Writes are ordinary durable publishes to
/// <c>$KV.b.KEY</c> (a delete is one with <see cref="OperationHeader"/>), watching is CONSUME; what the broker adds here
/// is the admin requests and the reads a consumer would do badly: one key's current value or history, and the keys.
/// Creating, deleting and inspecting need request permission on their names (the admin's right, as for streams); the
/// reads need none on their names but subscribe permission on what they read, as a watch would.
/// </summary>
internal sealed partial class StreamHost
{
    public const string KeyValuePrefix = "$SYS.kv.";
    public const string KeyValueCreate = "$SYS.kv.create";
    public const string KeyValueDelete = "$SYS.kv.delete";
    public const string KeyValueInfo = "$SYS.kv.info";
    public const string KeyValueList = "$SYS.kv.list";
    public const string KeyValueGet = "$SYS.kv.get";
    public const string KeyValueHistory = "$SYS.kv.history";
    public const string KeyValueKeys = "$SYS.kv.keys";

    /// <summary>The header saying what a write to a key did: absent (a put), <c>DEL</c> or <c>PURGE</c>.</summary>
    public const string OperationHeader = "mq-kv-op";

    /// <summary>The most revisions a bucket may keep per key.</summary>
    public const int MaxHistory = 64;

    /// <summary>Whether <paramref name="name"/> is a read whose right is subscribe permission on what it reads, not request permission on the name.</summary>
    public static bool IsKeyValueRead(ReadOnlySpan<char> name) => name is KeyValueGet or KeyValueHistory or KeyValueKeys;

    /// <summary>A request to a <c>$SYS.kv.</c> name, already admitted (for all but the reads, its request permission checked).</summary>
    public void KeyValueRequest(PeerSession requester, ulong rid, string name, ReadOnlyMemory<byte> payload, long now)
    {
        if (Arguments(requester, rid, name, payload, now) is not { } args)
        {
            return;
        }

        if (name == KeyValueList)
        {
            Dictionary<string, object?>[] buckets = [.. _streams.Values.Where(IsBucket).OrderBy(s => s.Name, StringComparer.Ordinal).Select(BucketMap)];
            Reply(requester, rid, ErrorCode.None, null, new() { ["total"] = buckets.Length, ["buckets"] = buckets }, now);
            return;
        }

        if (name is not (KeyValueCreate or KeyValueDelete or KeyValueInfo or KeyValueGet or KeyValueHistory or KeyValueKeys))
        {
            Reply(requester, rid, ErrorCode.NoResponders, $"the broker has no service '{name}'; for key-value buckets it answers {KeyValueCreate}, {KeyValueDelete}, {KeyValueInfo}, {KeyValueList}, {KeyValueGet}, {KeyValueHistory}, {KeyValueKeys}", null, now);
            return;
        }

        string? bucket = args.GetValueOrDefault("bucket") as string;
        if (BucketProblem(bucket) is { } problem)
        {
            Reply(requester, rid, ErrorCode.Malformed, $"{name}: {problem}", null, now);
            return;
        }

        if (name == KeyValueCreate)
        {
            CreateBucket(requester, rid, bucket!, args, now);
            return;
        }

        if (!_streams.TryGetValue("KV_" + bucket, out BrokerStream? stream) || !IsBucket(stream))
        {
            Reply(requester, rid, ErrorCode.NoStream, $"no key-value bucket '{bucket}'", null, now);
            return;
        }

        switch (name)
        {
            case KeyValueInfo:
                Reply(requester, rid, ErrorCode.None, null, BucketMap(stream), now);
                break;
            case KeyValueDelete:
                DeleteStream(requester, rid, stream, now);
                break;
            case KeyValueKeys:
                Keys(requester, rid, stream, bucket!, args, now);
                break;
            default:
                ReadKey(requester, rid, name, stream, bucket!, args, now);
                break;
        }
    }

    /// <summary>What is wrong with a bucket's name, or null.</summary>
    private static string? BucketProblem(string? bucket) =>
        string.IsNullOrEmpty(bucket) ? "it needs the bucket's name: {\"bucket\": \"config\"}"
        : bucket.Length > 64 || !bucket.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? $"bucket '{bucket}': a bucket name is 1 to 64 letters, digits, '-' or '_'"
        : null;

    /// <summary>A stream made by <c>$SYS.kv.create</c> (a stream of that name made otherwise is not taken for a bucket).</summary>
    private static bool IsBucket(BrokerStream stream) =>
        stream.LastValues is not null && stream.Name.StartsWith("KV_", StringComparison.Ordinal)
        && stream.Options.Subjects is [{ } subject] && subject == $"$KV.{stream.Name[3..]}.>";

    private void CreateBucket(PeerSession requester, ulong rid, string bucket, Dictionary<string, object?> args, long now)
    {
        string[] known = ["bucket", "history", "ttl_ms", "storage", "max_bytes"];
        BrokerStreamOptions stream;
        try
        {
            if (args.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            {
                throw new ArgumentException($"unknown key '{unknown}' (known: {string.Join(", ", known)})");
            }

            long history = Number(args, "history") ?? 1;
            if (history is < 1 or > MaxHistory)
            {
                throw new ArgumentException($"history is {history}: a bucket keeps 1 to {MaxHistory} revisions per key");
            }

            stream = new BrokerStreamOptions
            {
                Subjects = [$"$KV.{bucket}.>"],
                MaxPerSubject = (int)history,
                MaxAge = Number(args, "ttl_ms") is { } ttl ? TimeSpan.FromMilliseconds(ttl) : null,
                MaxBytes = Number(args, "max_bytes"),
                Storage = Enum.Parse<StreamStorage>(args.GetValueOrDefault("storage") as string ?? "file", ignoreCase: true),
            };
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            Reply(requester, rid, ErrorCode.Malformed, $"{KeyValueCreate}: {ex.Message}", null, now);
            return;
        }

        CreateStream(requester, rid, "KV_" + bucket, stream, BucketMap, now);
    }

    /// <summary><c>$SYS.kv.get</c> (the current revision, or the one asked for) and <c>$SYS.kv.history</c> (every revision kept) of one key.</summary>
    private void ReadKey(PeerSession requester, ulong rid, string name, BrokerStream stream, string bucket, Dictionary<string, object?> args, long now)
    {
        string? key = args.GetValueOrDefault("key") as string;
        if ((key is null ? "it needs the key: {\"bucket\": \"config\", \"key\": \"a.b\"}" : KeyProblem(key, SubjectKind.Publish)) is { } problem)
        {
            Reply(requester, rid, ErrorCode.Malformed, $"{name}: {problem}", null, now);
            return;
        }

        string subject = $"$KV.{bucket}.{key}";
        if (!MayRead(requester, rid, stream, subject, now))
        {
            return;
        }

        long? revision;
        try
        {
            revision = Number(args, "revision");
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
        {
            Reply(requester, rid, ErrorCode.Malformed, $"{name}: revision is a number ({ex.Message})", null, now);
            return;
        }

        LastValueIndex index = stream.LastValues!;
        IEnumerable<ulong> wanted = name == KeyValueHistory ? index.History(subject)
            : revision is { } asked ? index.History(subject).Where(s => s == (ulong)asked)
            : index.Latest(subject) is { } latest ? [latest] : [];
        ulong[] sequences = [.. wanted.Where(s => Current(stream, s))];
        _ = RunAsync(requester, rid, async () => await ReadEachAsync(stream, sequences).ConfigureAwait(false), (result, _) =>
        {
            if (result is not List<StoredMessage> found)
            {
                return null;
            }

            if (name != KeyValueHistory)
            {
                return found.Count == 0 ? new() { ["bucket"] = bucket, ["key"] = key, ["found"] = false } : EntryMap(bucket, found[0]);
            }

            // The newest revisions whose values fit one payload; the older ones are named, for the reader to get one by one.
            int omit = found.Count;
            long bytes = 0;
            while (omit > 0 && (bytes += found[omit - 1].Payload.Length + 64) <= options.MaxPayloadBytes)
            {
                omit--;
            }

            // The newest always goes: one value fits a reply by itself.
            omit = Math.Max(0, Math.Min(omit, found.Count - 1));
            return new()
            {
                ["bucket"] = bucket,
                ["key"] = key,
                ["entries"] = found.Skip(omit).Select(m => EntryMap(bucket, m)).ToArray(),
                ["omitted_revisions"] = found.Take(omit).Select(m => m.Sequence).ToArray(),
            };
        });
    }

    /// <summary>
    /// <c>$SYS.kv.keys</c>: the keys matching a filter (all by default) whose value is current, and the newest revision among
    /// them (a watcher's initial values end there). Without <c>include_deleted</c> it reads each key's newest record to
    /// leave out the deleted ones; with it, the answer comes from the index alone.
    /// </summary>
    private void Keys(PeerSession requester, ulong rid, BrokerStream stream, string bucket, Dictionary<string, object?> args, long now)
    {
        string filter = args.GetValueOrDefault("filter") as string ?? ">";
        if (KeyProblem(filter, SubjectKind.Pattern) is { } problem)
        {
            Reply(requester, rid, ErrorCode.Malformed, $"{KeyValueKeys}: {problem}", null, now);
            return;
        }

        string pattern = $"$KV.{bucket}.{filter}";
        if (!MayRead(requester, rid, stream, pattern, now))
        {
            return;
        }

        var current = stream.LastValues!.Current(s => Subject.Matches(pattern, s)).Where(p => Current(stream, p.Sequence)).ToList();
        ulong revision = current.Count == 0 ? 0 : current[^1].Sequence;
        int prefix = bucket.Length + 5;
        long limit;
        try
        {
            limit = Number(args, "limit") ?? long.MaxValue;
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
        {
            Reply(requester, rid, ErrorCode.Malformed, $"{KeyValueKeys}: limit is a number ({ex.Message})", null, now);
            return;
        }

        if (args.GetValueOrDefault("include_deleted") is true)
        {
            Reply(requester, rid, ErrorCode.None, null, KeysMap(bucket, current.Select(p => p.Subject[prefix..]), revision, limit), now);
            return;
        }

        ulong[] sequences = [.. current.Select(p => p.Sequence)];
        _ = RunAsync(requester, rid, async () => await ReadEachAsync(stream, sequences).ConfigureAwait(false), (result, _) => result is List<StoredMessage> found
            ? KeysMap(bucket, found.Where(m => HeaderValue(m.Headers, OperationHeader) is null).Select(m => m.Subject[prefix..]), revision, limit)
            : null);
    }

    /// <summary>
    /// The reply of <c>$SYS.kv.keys</c>: at most <paramref name="limit"/> keys, and no more than half a payload of them so
    /// the reply always fits one frame; <c>omitted</c> says how many matched beyond.
    /// </summary>
    private Dictionary<string, object?> KeysMap(string bucket, IEnumerable<string> keys, ulong revision, long limit)
    {
        var listed = new List<string>();
        long bytes = 0;
        int omitted = 0;
        foreach (string key in keys)
        {
            bytes += System.Text.Encoding.UTF8.GetByteCount(key) + 3;
            if (listed.Count >= limit || bytes > options.MaxPayloadBytes / 2)
            {
                omitted++;
                continue;
            }

            listed.Add(key);
        }

        return new() { ["bucket"] = bucket, ["keys"] = listed.ToArray(), ["omitted"] = omitted, ["revision"] = revision };
    }

    /// <summary>Whether the requester may read <paramref name="subject"/> (a key or a pattern of keys); if not it was answered.</summary>
    private bool MayRead(PeerSession requester, ulong rid, BrokerStream stream, string subject, long now)
    {
        if (requester.Permissions is not { } permissions || permissions.CanSubscribe(subject))
        {
            return true;
        }

        string reason = $"reading bucket {stream.Name[3..]} at '{subject}' needs subscribe permission on it, which identity '{requester.Identity!.Name}' lacks";
        writer.CountRefusal(requester, ErrorCode.PermissionDenied, reason, now);
        Reply(requester, rid, ErrorCode.PermissionDenied, reason, null, now);
        events.PermissionDenied(requester, "subscribe", subject, now);
        return false;
    }

    /// <summary>What is wrong with a key (a literal, for reading or writing one) or a pattern of keys, or null.</summary>
    internal static string? KeyProblem(string key, SubjectKind kind) =>
        Subject.Validate(key, kind) is { } error ? $"key '{key}': {error.Replace("subject", "key", StringComparison.Ordinal)}" : null;

    /// <summary>Still stored and confirmed: the index keeps sequences a limit (the bucket's TTL) has removed since.</summary>
    private static bool Current(BrokerStream stream, ulong sequence) => sequence >= stream.Store.State.FirstSequence && sequence <= stream.Committed;

    /// <summary>Off the broker thread: the records at <paramref name="sequences"/>, leaving out any removed meanwhile.</summary>
    private static async Task<object> ReadEachAsync(BrokerStream stream, ulong[] sequences)
    {
        var found = new List<StoredMessage>(sequences.Length);
        foreach (ulong sequence in sequences)
        {
            IReadOnlyList<StoredMessage> batch = await stream.Store.ReadAsync(sequence, 1).ConfigureAwait(false);
            if (batch.Count > 0 && batch[0].Sequence == sequence)
            {
                found.Add(batch[0]);
            }
        }

        return found;
    }

    private static Dictionary<string, object?> EntryMap(string bucket, StoredMessage message) => new(StringComparer.Ordinal)
    {
        ["found"] = true,
        ["bucket"] = bucket,
        ["key"] = message.Subject[(bucket.Length + 5)..],
        ["revision"] = message.Sequence,
        ["created_ms"] = message.Timestamp,
        ["op"] = HeaderValue(message.Headers, OperationHeader) ?? "PUT",
        ["value"] = message.Payload.ToArray(),
    };

    private static Dictionary<string, object?> BucketMap(BrokerStream stream)
    {
        BrokerStreamOptions o = stream.Options;
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["bucket"] = stream.Name[3..],
            ["stream"] = stream.Name,
            ["history"] = o.MaxPerSubject,
            ["ttl_ms"] = o.MaxAge is { } age ? (long)age.TotalMilliseconds : null,
            ["max_bytes"] = o.MaxBytes,
            ["storage"] = o.Storage.ToString().ToLowerInvariant(),
            ["keys"] = stream.LastValues?.Subjects,
            ["messages"] = stream.Store.State.Messages,
            ["bytes"] = stream.Store.State.Bytes,
            ["revision"] = stream.Committed,
        };
    }
}
