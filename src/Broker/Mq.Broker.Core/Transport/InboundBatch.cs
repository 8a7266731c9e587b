using Mq.Broker.Server;

namespace Mq.Broker.Transport;

/// <summary>
/// The message frames one read of a connection produced, handed to the broker thread in the buffer they were read
/// into (no copy per frame). The broker thread returns the buffer to the pool and tells the connection, whose
/// reader waits while too many bytes of it are in the broker's hands.
/// </summary>
internal sealed class InboundBatch(ZmtpConnection connection, byte[] buffer, Action<InboundBatch, long> deliver) : IBrokerWork
{
    /// <summary>A frame entry of this length stands for a multi-frame message, which the reader discarded.</summary>
    public const int Multipart = -1;

    private readonly List<(int Offset, int Length)> _frames = [];

    public ZmtpConnection Connection { get; } = connection;

    public byte[] Buffer { get; } = buffer;

    public int Count => _frames.Count;

    public void AddFrame(int offset, int length) => _frames.Add((offset, length));

    public void AddMultipart() => _frames.Add((0, Multipart));

    public (int Offset, int Length) this[int index] => _frames[index];

    public void Run(long now) => deliver(this, now);
}
