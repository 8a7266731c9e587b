using System.Collections.Concurrent;
using Mq.Errors;

namespace Mq.Client.Connection;

/// <summary>
/// Callers waiting on the broker: confirmations of SUB/UNSUB/SERVE/UNSERVE by reference, and requests by id.
/// Written by caller threads and completed by the socket thread.
/// </summary>
internal sealed class PendingCalls
{
    private readonly ConcurrentDictionary<ulong, (TaskCompletionSource? Completion, Action<ulong>? OnConfirmed)> _confirmations = new();
    private readonly ConcurrentDictionary<ulong, PendingRequestCall> _requests = new();
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<DurableAck>> _stored = new();
    private long _lastReference;
    private long _lastRequestId;

    public int RequestCount => _requests.Count;

    /// <summary>
    /// Registers a confirmation to wait for. <paramref name="onConfirmed"/> runs on the socket thread as the OK is
    /// read, with the OK's trailing field (the window in force for a flow-controlled SUB, else 0), so state it
    /// sets is visible to whatever that thread does next (such as restoring after a reconnect).
    /// </summary>
    public (ulong Reference, Task Confirmed) AddConfirmation(Action<ulong>? onConfirmed = null)
    {
        ulong reference = (ulong)Interlocked.Increment(ref _lastReference);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _confirmations[reference] = (completion, onConfirmed);
        return (reference, completion.Task);
    }

    /// <summary>
    /// A confirmation nobody awaits (a restore on a new session): only <paramref name="onConfirmed"/> runs, and a
    /// refusal goes to the client's error event as an unreferenced ERROR would.
    /// </summary>
    public ulong AddCallback(Action<ulong> onConfirmed)
    {
        ulong reference = (ulong)Interlocked.Increment(ref _lastReference);
        _confirmations[reference] = (null, onConfirmed);
        return reference;
    }

    /// <summary>A durable publish waiting for STORED; its reference shares the numbering of confirmations.</summary>
    public (ulong Reference, Task<DurableAck> Stored) AddStored()
    {
        ulong reference = (ulong)Interlocked.Increment(ref _lastReference);
        var completion = new TaskCompletionSource<DurableAck>(TaskCreationOptions.RunContinuationsAsynchronously);
        _stored[reference] = completion;
        return (reference, completion.Task);
    }

    public bool Stored(ulong reference, DurableAck ack) => _stored.TryRemove(reference, out var completion) && completion.TrySetResult(ack);

    public void ForgetStored(ulong reference) => _stored.TryRemove(reference, out _);

    public bool Confirm(ulong reference, ulong detail = 0)
    {
        if (!_confirmations.TryRemove(reference, out var pending))
        {
            return false;
        }

        pending.OnConfirmed?.Invoke(detail);
        return pending.Completion?.TrySetResult() ?? true;
    }

    public bool Reject(ulong reference, MqException error) =>
        (_confirmations.TryRemove(reference, out var pending) && pending.Completion is { } completion && completion.TrySetException(error))
        || (_stored.TryRemove(reference, out var stored) && stored.TrySetException(error));

    public void Forget(ulong reference) => _confirmations.TryRemove(reference, out _);

    public PendingRequestCall AddRequest(string service, TimeSpan timeout, bool streamed = false)
    {
        var call = new PendingRequestCall((ulong)Interlocked.Increment(ref _lastRequestId), service, timeout, streamed);
        _requests[call.Id] = call;
        return call;
    }

    public bool TryTakeRequest(ulong id, out PendingRequestCall? call) => _requests.TryRemove(id, out call);

    public bool TryGetRequest(ulong id, out PendingRequestCall? call) => _requests.TryGetValue(id, out call);

    public void ForgetRequest(ulong id) => _requests.TryRemove(id, out _);

    /// <summary>
    /// Times out the requests whose deadline has passed. The broker answers a request at its deadline itself;
    /// this sweep, run by the socket thread's timer, covers a broker that cannot, without a timer per request.
    /// </summary>
    public void ExpireRequests(long now)
    {
        foreach (KeyValuePair<ulong, PendingRequestCall> entry in _requests)
        {
            if (entry.Value.Deadline <= now && _requests.TryRemove(entry.Key, out PendingRequestCall? call))
            {
                call.Fail(new MqTimeoutException(call.TimedOut));
            }
        }
    }

    /// <summary>Fails every waiting caller at once: the connection they depended on is gone.</summary>
    public void FailAll(Func<string, MqException> error)
    {
        foreach (ulong reference in _confirmations.Keys)
        {
            Reject(reference, error("the broker connection was lost before it confirmed"));
        }

        // A durable publish not acknowledged may or may not be stored: publish it again with the same message id.
        foreach (ulong reference in _stored.Keys)
        {
            Reject(reference, error("the broker connection was lost before it acknowledged the durable publish (it may be stored: publish again with the same message id)"));
        }

        foreach (ulong id in _requests.Keys)
        {
            if (_requests.TryRemove(id, out PendingRequestCall? call))
            {
                call.Fail(error($"the broker connection was lost while request to '{call.Service}' was in flight"));
            }
        }
    }
}
