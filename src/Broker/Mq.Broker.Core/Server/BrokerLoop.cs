using System.Collections.Concurrent;

namespace Mq.Broker.Server;

/// <summary>
/// The broker thread: runs work posted from any thread, in order, and a periodic tick, and calls the flush after
/// each pass. One plain thread instead of NetMQ's poller: with no NetMQ socket left in the broker, a queue and an
/// event are all it needs, and a post costs no socket signal.
/// </summary>
internal sealed class BrokerLoop(TimeSpan tickInterval, Action<long> tick, Action<long> flush, Action<Exception> unexpected) : IAsyncDisposable
{
    /// <summary>Work items per pass before the loop flushes and checks the clock.</summary>
    private const int MaxWorkPerPass = 4096;

    private readonly ConcurrentQueue<IBrokerWork> _queue = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private volatile bool _stopping;
    private int _disposed;

    public void Start()
    {
        _thread = new Thread(Run) { Name = "mq-broker", IsBackground = true };
        _thread.Start();
    }

    public void Post(IBrokerWork work)
    {
        if (_stopping)
        {
            return;
        }

        _queue.Enqueue(work);
        _wake.Set();
    }

    public void Post(Action<long> action) => Post(new ActionWork(action));

    /// <summary>Stops the thread after its current pass (work still queued is not run) and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping = true;
        _wake.Set();
        if (_thread is not null)
        {
            await _stopped.Task;
        }

        // The event stays undisposed: connections that end after the loop may still post (and are ignored), and
        // a slim event that nobody took a wait handle from holds no kernel object.
    }

    private void Run()
    {
        try
        {
            RunPasses();
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void RunPasses()
    {
        long period = (long)tickInterval.TotalMilliseconds;
        long nextTick = Environment.TickCount64 + period;
        while (!_stopping)
        {
            long now = Environment.TickCount64;
            for (int i = 0; i < MaxWorkPerPass && _queue.TryDequeue(out IBrokerWork? work); i++)
            {
                Guard(work.Run, now);
            }

            if (now >= nextTick)
            {
                Guard(tick, now);
                nextTick = now + period;
            }

            Guard(flush, now);
            if (!_queue.IsEmpty)
            {
                continue;
            }

            // Reset, then look again: a post between the two sets the event, so none is slept through.
            _wake.Reset();
            if (_queue.IsEmpty && !_stopping)
            {
                _wake.Wait((int)Math.Max(1, nextTick - Environment.TickCount64));
            }
        }
    }

    private void Guard(Action<long> action, long now)
    {
        try
        {
            action(now);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // One bad message must not end the broker.
            unexpected(ex);
        }
    }

    private sealed class ActionWork(Action<long> action) : IBrokerWork
    {
        public void Run(long now) => action(now);
    }
}
