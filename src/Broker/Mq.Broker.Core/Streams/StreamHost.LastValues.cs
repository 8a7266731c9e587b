using System.Globalization;
using MessagePack;
using Mq.Broker.Persistence;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Broker.Streams;

/// <summary>
/// Streams keeping the last messages per subject (option MaxPerSubject, docs/persistence.md "Last values"): the index
/// rebuilt at open, CONSUME's subject filter and its start at the last value per subject, and the compare-and-set
/// of a publish carrying <see cref="ExpectedRevisionHeader"/>.
/// </summary>
internal sealed partial class StreamHost
{
    /// <summary>
    /// A publish with this header (a decimal number) is stored only if the newest sequence its subject has in the
    /// stream is that number; 0: only if the subject has none. Else it is refused with Conflict.
    /// </summary>
    public const string ExpectedRevisionHeader = "mq-expected-rev";

    /// <summary>Why a CONSUME's start and filter cannot be served, or null.</summary>
    private static string? ConsumeProblem(BrokerStream stream, StreamStartKind start, string? filter, string? durable)
    {
        if (filter is not null && Subject.Validate(filter, SubjectKind.Pattern) is { } error)
        {
            return $"CONSUME's filter: {error}";
        }

        if (start == StreamStartKind.LastPerSubject && stream.LastValues is null)
        {
            return $"stream {stream.Name} does not keep last values (MaxPerSubject): start at first instead";
        }

        return start == StreamStartKind.LastPerSubject && durable is not null
            ? "a durable consumer cannot start at the last value per subject: use an ephemeral one"
            : null;
    }

    /// <summary>What a reader needs subscribe permission on: its filter if it has one (it gets nothing else), else all the stream captures.</summary>
    private static string[] ReadSubjects(BrokerStream stream, string? filter) => filter is null ? stream.Options.Subjects : [filter];

    /// <summary>
    /// A publish to a stream keeping last values with this header (value <c>sub</c>) replaces every kept message of its
    /// subject: a key-value purge, after which the subject's history is that message alone.
    /// </summary>
    public const string RollupHeader = "mq-rollup";

    /// <summary>Records a stored message in the last-value index (if the stream keeps one): it is its subject's newest.</summary>
    private static void KeepLastValue(BrokerStream stream, string subject, ulong sequence, ReadOnlyMemory<byte> headers)
    {
        if (stream.LastValues is not { } index)
        {
            return;
        }

        if (HeaderValue(headers, RollupHeader) == "sub")
        {
            index.Rollup(subject, sequence);
        }
        else
        {
            index.Add(subject, sequence);
        }
    }

    /// <summary>Rebuilds the last-value index of a stream being opened from its records (before the broker thread starts).</summary>
    private static async Task IndexAsync(BrokerStream stream, CancellationToken cancellationToken)
    {
        if (stream.LastValues is not { } index)
        {
            return;
        }

        ulong next = stream.Store.State.FirstSequence;
        while (next <= stream.Store.State.LastSequence)
        {
            IReadOnlyList<StoredMessage> batch = await stream.Store.ReadAsync(next, 10_000, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (StoredMessage message in batch)
            {
                KeepLastValue(stream, message.Subject, message.Sequence, message.Headers);
            }

            next = batch[^1].Sequence + 1;
        }
    }

    /// <summary>
    /// A publish with <see cref="ExpectedRevisionHeader"/>: true if it may be stored. A subject with an append in
    /// flight has a revision nobody could have read yet, so the publish conflicts.
    /// </summary>
    private bool ExpectedHolds(BrokerStream stream, PeerSession? publisher, ulong reference, bool durable, ReadOnlySpan<char> subject, ReadOnlyMemory<byte> headers, long now)
    {
        // Only streams keeping last values read the header: the others' captures do not pay for it.
        if (stream.LastValues is not { } index || HeaderValue(headers, ExpectedRevisionHeader) is not { } text)
        {
            return true;
        }

        string key = subject.ToString();
        string? reason = null;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong expected))
        {
            reason = $"{ExpectedRevisionHeader} is '{text}': a revision is a decimal number (0: no value yet)";
        }
        else if (stream.PendingSubjects.ContainsKey(key))
        {
            reason = $"'{key}' changes now (a write is being stored): expected revision {expected} is out of date";
        }
        else if (Revision(stream, index, key) != expected)
        {
            reason = $"'{key}' is at revision {Revision(stream, index, key)}, not {expected}";
        }

        if (reason is null)
        {
            return true;
        }

        Refuse(stream, durable ? publisher : null, reference, ErrorCode.Conflict, reason, now);
        return false;
    }

    /// <summary>The newest sequence of <paramref name="subject"/> still stored; 0 when it has none (or a limit such as MaxAge removed it).</summary>
    private static ulong Revision(BrokerStream stream, LastValueIndex index, string subject) =>
        index.Latest(subject) is { } latest && latest >= stream.Store.State.FirstSequence ? latest : 0;

    /// <summary>Counts an append of a last-value stream in flight for its subject (<paramref name="delta"/> +1 handed over, -1 done).</summary>
    private static void CountPending(BrokerStream stream, string subject, int delta)
    {
        if (stream.LastValues is null)
        {
            return;
        }

        int count = stream.PendingSubjects.GetValueOrDefault(subject) + delta;
        if (count > 0)
        {
            stream.PendingSubjects[subject] = count;
        }
        else
        {
            stream.PendingSubjects.Remove(subject);
        }
    }

    /// <summary>The value of header <paramref name="name"/> in a raw header block, or null.</summary>
    internal static string? HeaderValue(ReadOnlyMemory<byte> headers, string name)
    {
        if (headers.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new MessagePackReader(headers);
            if (reader.TryReadNil())
            {
                return null;
            }

            int count = reader.ReadMapHeader();
            for (int i = 0; i < count; i++)
            {
                if (reader.ReadString() == name)
                {
                    return reader.ReadString();
                }

                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            // The reader of PUB checked the block already; one it let through is read as not having the header.
        }

        return null;
    }
}
