using Mq.Client;

namespace Mq.Testing;

/// <summary>
/// Records what arrives on a subscription pattern, decoded as <typeparamref name="T"/>, and lets a test await a
/// count or a predicate with a timeout; a timeout fails with what did arrive.
/// </summary>
public sealed class MessageRecorder<T> : IAsyncDisposable
{
    private readonly List<RecordedMessage<T>> _messages = [];
    private readonly List<(Func<IReadOnlyList<RecordedMessage<T>>, bool> Done, TaskCompletionSource Signal)> _waiters = [];
    private readonly MqClient _client;
    private readonly bool _ownsClient;
    private MqSubscription? _subscription;

    private MessageRecorder(MqClient client, string pattern, bool ownsClient)
    {
        _client = client;
        Pattern = pattern;
        _ownsClient = ownsClient;
    }

    public string Pattern { get; }

    /// <summary>What arrived so far, in order.</summary>
    public IReadOnlyList<RecordedMessage<T>> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> messages (or more) have arrived; returns them all.</summary>
    public Task<IReadOnlyList<RecordedMessage<T>>> WaitForCountAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitAsync(messages => messages.Count >= count, $"{count} message(s)", timeout, cancellationToken);

    /// <summary>Waits for a message that satisfies <paramref name="predicate"/> (including those already here); returns the first.</summary>
    public async Task<RecordedMessage<T>> WaitForAsync(Func<RecordedMessage<T>, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<RecordedMessage<T>> messages = await WaitAsync(all => all.Any(predicate), "a matching message", timeout, cancellationToken);
        return messages.First(predicate);
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        if (_ownsClient)
        {
            await _client.DisposeAsync();
        }
    }

    internal static async Task<MessageRecorder<T>> StartAsync(MqClient client, string pattern, bool ownsClient, CancellationToken cancellationToken)
    {
        var recorder = new MessageRecorder<T>(client, pattern, ownsClient);
        recorder._subscription = await client.SubscribeAsync<T>(pattern, recorder.OnMessage, cancellationToken: cancellationToken);
        return recorder;
    }

    private ValueTask OnMessage(T payload, MqMessage message, CancellationToken cancellationToken)
    {
        List<TaskCompletionSource> satisfied = [];
        lock (_messages)
        {
            _messages.Add(new RecordedMessage<T>(message.Subject, payload, message.Headers));
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Done(_messages))
                {
                    satisfied.Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (TaskCompletionSource signal in satisfied)
        {
            signal.TrySetResult();
        }

        return ValueTask.CompletedTask;
    }

    private async Task<IReadOnlyList<RecordedMessage<T>>> WaitAsync(Func<IReadOnlyList<RecordedMessage<T>>, bool> done, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (Func<IReadOnlyList<RecordedMessage<T>>, bool>, TaskCompletionSource) waiter = (done, signal);
        lock (_messages)
        {
            if (done(_messages))
            {
                return [.. _messages];
            }

            _waiters.Add(waiter);
        }

        try
        {
            await signal.Task.WaitAsync(timeout, cancellationToken);
            return Messages;
        }
        catch (TimeoutException)
        {
            IReadOnlyList<RecordedMessage<T>> arrived = Messages;
            string list = string.Join("\n", arrived.Take(20).Select(m => $"  {m.Subject}: {m.Payload}"));
            throw new TimeoutException($"waited {timeout.TotalSeconds:0.###} s for {what} on '{Pattern}'; {arrived.Count} arrived{(arrived.Count > 0 ? ":\n" + list : "")}{(arrived.Count > 20 ? "\n  ..." : "")}");
        }
        finally
        {
            lock (_messages)
            {
                _waiters.Remove(waiter);
            }
        }
    }
}
