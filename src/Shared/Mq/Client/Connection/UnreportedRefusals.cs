using Mq.Errors;
using Mq.Protocol;

namespace Mq.Client.Connection;

/// <summary>
/// Refusals of this client's commands that carry no reference of their own (PUB, ACK): the broker answers them
/// with <c>ERROR 0</c>, and nobody awaits them. Kept from the socket thread until the next flush reports them:
/// the broker answers a flush's PING only after everything before it, so each refusal kept when the flush
/// completes belongs to a command sent before it.
/// </summary>
internal sealed class UnreportedRefusals
{
    private readonly Lock _lock = new();
    private (ErrorCode Code, string Message)? _first;
    private int _count;

    public void Add(ErrorCode code, string message)
    {
        lock (_lock)
        {
            _first ??= (code, message);
            _count++;
        }
    }

    /// <summary>The first refusal since the last call, as an exception of its code (with how many more followed); null if none.</summary>
    public MqException? Take()
    {
        lock (_lock)
        {
            if (_first is not { } first)
            {
                return null;
            }

            string more = _count > 1 ? $" (and {_count - 1} more refusals since the last flush)" : "";
            _first = null;
            _count = 0;
            return MqException.FromCode(first.Code, first.Message + more);
        }
    }
}
