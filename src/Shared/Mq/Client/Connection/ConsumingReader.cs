using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Mq.Client.Connection;

/// <summary>A channel reader that reports each message the application takes: how a flow-controlled subscription knows what to acknowledge.</summary>
internal sealed class ConsumingReader(ChannelReader<MqMessage> inner, Action<MqMessage> consumed) : ChannelReader<MqMessage>
{
    public override Task Completion => inner.Completion;

    public override bool CanCount => inner.CanCount;

    public override int Count => inner.Count;

    public override bool CanPeek => inner.CanPeek;

    public override bool TryRead([MaybeNullWhen(false)] out MqMessage item)
    {
        if (!inner.TryRead(out item))
        {
            return false;
        }

        consumed(item);
        return true;
    }

    public override bool TryPeek([MaybeNullWhen(false)] out MqMessage item) => inner.TryPeek(out item);

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
}
