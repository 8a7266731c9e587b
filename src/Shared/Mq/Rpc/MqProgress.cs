using System.ComponentModel;
using System.Threading.Channels;
using Mq.Client;

namespace Mq.Rpc;

/// <summary>
/// The <see cref="IProgress{T}"/> a served method reports to: each report goes to the caller as a part of the reply,
/// in order, within the caller's credit. Reports are hints, so a method is never held up by a slow caller: beyond
/// <see cref="Capacity"/> waiting reports the oldest are dropped. A plain (not streamed) request gets none. For
/// generated dispatchers, which dispose it, sending what still waits, before the final reply.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MqProgress<T> : IProgress<T>, IAsyncDisposable
{
    /// <summary>Reports waiting to be sent, at most.</summary>
    public const int Capacity = 64;

    private readonly MqRequest _request;
    private readonly Channel<(ReadOnlyMemory<byte> Payload, IReadOnlyDictionary<string, string>? Headers)> _waiting = Channel.CreateBounded<(ReadOnlyMemory<byte>, IReadOnlyDictionary<string, string>?)>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly Task _sending;

    internal MqProgress(MqRequest request, CancellationToken cancellationToken)
    {
        _request = request;
        _sending = request.IsStreamed ? SendAsync(request, cancellationToken) : Task.CompletedTask;
        if (!request.IsStreamed)
        {
            _waiting.Writer.TryComplete();
        }
    }

    /// <summary>Serialized at once, so a value changed after the report still travels as it was.</summary>
    public void Report(T value) => _waiting.Writer.TryWrite(_request.SerializePart(value));

    public async ValueTask DisposeAsync()
    {
        _waiting.Writer.TryComplete();
        await _sending.ConfigureAwait(false);
    }

    private async Task SendAsync(MqRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await foreach ((ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers) in _waiting.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await request.SendPartAsync(payload, headers, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The call is over (cancelled, or past its deadline): its reports no longer matter.
        }
    }
}
