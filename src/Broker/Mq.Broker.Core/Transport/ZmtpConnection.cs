using System.Buffers;
using System.Net.Sockets;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.Broker.Transport;

/// <summary>
/// One accepted connection (TCP or a Unix socket) speaking ZMTP 3.x with the NULL mechanism: the handshake (under a deadline), then
/// message frames handed to the broker thread in batches, and a writer that sends what the broker queued. Two
/// tasks of its own (reader and writer); the broker thread only appends to its queue and may ask it to close.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "RunAsync disposes what it owns when the connection ends; Close may still be called after that.")]
internal sealed partial class ZmtpConnection
{
    private const int ReadBufferBytes = 64 * 1024;

    /// <summary>Enough for a greeting and a READY; the reader grows to <see cref="ReadBufferBytes"/> once the peer speaks Mq.</summary>
    private const int HandshakeBufferBytes = 512;

    private readonly Socket _socket;
    private readonly TransportSettings _settings;
    private readonly IConnectionHandler _handler;
    private readonly ConnectionLimits _limits;
    private readonly TransportCounters _counters;
    private readonly TransportLog _log;
    private readonly ReadOnlyMemory<byte> _connectedFrame;
    private readonly Action<InboundBatch, long> _deliver;
    private readonly OutboundQueue _outbound;
    private readonly CancellationTokenSource _writeCancel = new();
    // These two are never disposed: the broker thread may still close or release a connection that just ended.
    private readonly CancellationTokenSource _readCancel = new();
    private readonly SemaphoreSlim _released = new(0);
    private long _inBroker;

    public ZmtpConnection(Socket socket, uint key, Admission admission, ConnectionServices services)
    {
        _socket = socket;
        Key = key;
        Admission = admission;
        AcceptedAt = Environment.TickCount64;
        _settings = services.Settings;
        _handler = services.Handler;
        _limits = services.Limits;
        _counters = services.Counters;
        _log = services.Log;
        _connectedFrame = services.ConnectedFrame;
        _deliver = services.Deliver;
        _outbound = new OutboundQueue(_settings.SendQueueBytes);
        _buffer = ArrayPool<byte>.Shared.Rent(HandshakeBufferBytes);
        // Sends from the broker thread must never block it; the tasks' asynchronous operations are unaffected.
        _socket.Blocking = false;
    }

    /// <summary>The transport's own number for the connection: nothing the peer sends can choose it.</summary>
    public uint Key { get; }

    /// <summary>What the per-source caps count by: the remote IP address, or for a Unix socket the peer's uid (<see cref="LocalPeer.SourceKey"/>).</summary>
    public string Source => Admission.Source;

    /// <summary>Accepted on a Unix socket endpoint: no secure channel; the kernel's credentials say who the peer is.</summary>
    public bool IsLocal { get; init; }

    /// <summary>The peer's credentials on a Unix socket (null on TCP, or where the kernel gave none).</summary>
    public LocalPeer? Local { get; set; }

    /// <summary>The remote as peer lists show it: an IP address, or <c>unix:pid=…,uid=…,gid=…</c>.</summary>
    public string Address => Local?.Address ?? (IsLocal ? "unix:unknown" : Source);

    /// <summary>When the connection was accepted (<see cref="Environment.TickCount64"/>): the handshake deadline counts from here.</summary>
    public long AcceptedAt { get; }

    /// <summary>The connection's place in <see cref="ConnectionLimits"/>.</summary>
    public Admission Admission { get; }

    /// <summary>
    /// Queues one Mq frame (broker thread), to go at its <see cref="Flush"/>. QueueFull past <c>SendQueueBytes</c>,
    /// PeerGone once closing.
    /// </summary>
    public SendOutcome Send(ReadOnlySpan<byte> frame) => _outbound.AppendFrame(frame);

    /// <summary>Bytes queued and not yet written to the socket.</summary>
    public int QueuedBytes => _outbound.QueuedBytes;

    /// <summary>
    /// Queues a ZMTP PING after everything queued so far (broker thread); the PONG that echoes
    /// <paramref name="token"/> reaches <see cref="IConnectionHandler.OnPong"/>.
    /// </summary>
    public void Probe(ulong token)
    {
        Span<byte> context = stackalloc byte[sizeof(ulong)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(context, token);
        Span<byte> ping = stackalloc byte[9 + sizeof(ulong)];
        _outbound.AppendRaw(ping[..ZmtpWire.WritePing(ping, context)]);
    }

    /// <summary>Set by the broker thread while the connection has frames to flush at the end of its pass.</summary>
    public bool Touched { get; set; }

    /// <summary>
    /// Sends what <see cref="Send"/> queued (broker thread, end of pass): at once with a non-blocking send when the
    /// writer is idle, which spares a thread wake-up per reply; what the socket does not take goes to the writer.
    /// </summary>
    public void Flush()
    {
        ReadOnlyMemory<byte> batch = _outbound.TakeInline();
        if (batch.IsEmpty)
        {
            _outbound.Wake();
            return;
        }

        int sent = 0;
        try
        {
            sent = _socket.Send(batch.Span, SocketFlags.None, out SocketError error);
            if (error != SocketError.Success)
            {
                // Would block, or broken: the writer waits for room, or finds the error and closes.
                sent = 0;
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile.
        }

        _outbound.InlineSent(sent);
    }

    /// <summary>Sends what is queued (for at most <see cref="TransportSettings.CloseLinger"/>), then closes. Any thread, any number of times.</summary>
    public void Close() => _ = _readCancel.CancelAsync();

    /// <summary>The broker thread is done with a batch this connection handed it.</summary>
    public void Release(InboundBatch batch)
    {
        int length = batch.Buffer.Length;
        ArrayPool<byte>.Shared.Return(batch.Buffer);
        long after = Interlocked.Add(ref _inBroker, -length);
        if (after + length > _settings.ReceiveQueueBytes && after <= _settings.ReceiveQueueBytes)
        {
            _released.Release();
        }
    }

    /// <summary>Ends when the connection is closed and released; never faults.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = RunAsync();

    private async Task RunAsync()
    {
        Task writer = WriteLoopAsync();
        bool connected = false;
        try
        {
            _outbound.AppendRaw(Greeting);
            if (await HandshakeAsync())
            {
                // Here, on the connection's own task: a slow user directory delays this peer only.
                Local = Local?.WithNames();
                connected = true;
                _handler.OnConnected(this);
                await ReadFramesAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Closed by the broker (or its handshake deadline, counted where it was caught).
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The peer went away.
        }
        catch (Exception ex)
        {
            // A bug here must end this connection only, never the process.
            _log.Unexpected(Source, ex);
        }
        finally
        {
            _outbound.Close();
            _writeCancel.CancelAfter(TransportSettings.CloseLinger);
            await writer;
            _socket.Dispose();
            _writeCancel.Dispose();
            _outbound.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _limits.Release(Admission);
            if (connected)
            {
                _handler.OnDisconnected(this);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadOnlyMemory<byte> batch = await _outbound.TakeAsync(_writeCancel.Token);
                if (batch.IsEmpty)
                {
                    break;
                }

                await _socket.SendAsync(batch, SocketFlags.None, _writeCancel.Token);
                _outbound.Written();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The peer stopped reading (linger over) or went away: the reader must not wait for it either.
            Close();
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }
    }

    private void Refuse(ref long counter, string reason)
    {
        Interlocked.Increment(ref counter);
        _log.Refused(Source, reason);
    }
}
