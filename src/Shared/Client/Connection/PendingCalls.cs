using System.Collections.Concurrent;
using Mq.Errors;

namespace Mq.Client.Connection;

/// <summary>
/// Callers waiting on the broker: confirmations of SUB/UNSUB/SERVE/UNSERVE by reference, and requests by id.
/// Written by caller threads and completed by the socket thread.
/// </summary>
internal sealed class PendingCalls
{
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _confirmations = new();
    private readonly ConcurrentDictionary<ulong, PendingRequestCall> _requests = new();
    private long _lastReference;
    private long _lastRequestId;

    public int RequestCount => _requests.Count;

    public (ulong Reference, Task Confirmed) AddConfirmation()
    {
        ulong reference = (ulong)Interlocked.Increment(ref _lastReference);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _confirmations[reference] = completion;
        return (reference, completion.Task);
    }

    public bool Confirm(ulong reference) =>
        _confirmations.TryRemove(reference, out TaskCompletionSource? completion) && completion.TrySetResult();

    public bool Reject(ulong reference, MqException error) =>
        _confirmations.TryRemove(reference, out TaskCompletionSource? completion) && completion.TrySetException(error);

    public void Forget(ulong reference) => _confirmations.TryRemove(reference, out _);

    public PendingRequestCall AddRequest(string service)
    {
        var call = new PendingRequestCall((ulong)Interlocked.Increment(ref _lastRequestId), service);
        _requests[call.Id] = call;
        return call;
    }

    public bool TryTakeRequest(ulong id, out PendingRequestCall? call) => _requests.TryRemove(id, out call);

    public void ForgetRequest(ulong id) => _requests.TryRemove(id, out _);

    /// <summary>Fails every waiting caller at once: the connection they depended on is gone.</summary>
    public void FailAll(Func<string, MqException> error)
    {
        foreach (ulong reference in _confirmations.Keys)
        {
            Reject(reference, error("the broker connection was lost before it confirmed"));
        }

        foreach (ulong id in _requests.Keys)
        {
            if (_requests.TryRemove(id, out PendingRequestCall? call))
            {
                call.Completion.TrySetException(error($"the broker connection was lost while request to '{call.Service}' was in flight"));
            }
        }
    }
}
