using Mq.Broker.Server;
using Mq.Broker.Sessions;

namespace Mq.Broker.Streams;

/// <summary>
/// One captured message on its way into the store. Its completion comes back to the broker thread as work; the
/// stream finishes appends in the order it made them, which is the order the store gave them sequences in.
/// </summary>
internal sealed class PendingAppend(BrokerStream stream, string subject, byte[] subjectUtf8, byte[] headers, byte[] payload, string? messageId) : IBrokerWork
{
    public BrokerStream Stream { get; } = stream;

    public string Subject { get; } = subject;

    public byte[] SubjectUtf8 { get; } = subjectUtf8;

    public byte[] Headers { get; } = headers;

    public byte[] Payload { get; } = payload;

    public string? MessageId { get; } = messageId;

    /// <summary>Publishers waiting for STORED: the one that published it, then any that repeated its message id meanwhile.</summary>
    public List<(PeerSession Publisher, ulong Reference, bool Duplicate)> Waiting { get; } = [];

    /// <summary>Set by the thread that completed the store's task, read on the broker thread after the post.</summary>
    public ulong Sequence { get; set; }

    public Exception? Error { get; set; }

    public bool Done { get; set; }

    public long Bytes => SubjectUtf8.Length + Headers.Length + Payload.Length;

    public void Run(long now) => Stream.Host.Completed(this, now);
}
