using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Mq.Broker.Server;

/// <summary>
/// The broker thread: runs work posted from any thread, in order, and a periodic tick, and calls the flush after
/// each pass. One plain thread instead of NetMQ's poller: with no NetMQ socket left in the broker, a queue and an
/// event are all it needs, and a post costs no socket signal. A connection's reader that finds the thread asleep runs
/// the pass itself (<see cref="PostAndRun"/>): a lone message on a quiet broker is routed without waking another
/// thread. The pass lock keeps the engine to one thread at a time either way.
/// </summary>
internal sealed class BrokerLoop(TimeSpan tickInterval, Action<long> tick, Action<long> flush, Action<Exception> unexpected) : IAsyncDisposable
{
    /// <summary>Work items per pass before the loop flushes and checks the clock.</summary>
    private const int MaxWorkPerPass = 4096;

    private readonly ConcurrentQueue<IBrokerWork> _queue = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Lock _pass = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private volatile bool _stopping;
    private volatile bool _sleeping;
    private volatile ExceptionDispatchInfo? _fatal;
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

    /// <summary>
    /// As <see cref="Post(IBrokerWork)"/>, for a connection's reader: when the broker thread is asleep (nothing
    /// queued, nothing to flush), the caller runs the pass on its own thread and the broker thread sleeps on. That
    /// spares a wake-up and a context switch per message on a quiet broker, a large part of a round trip's latency
    /// on a small machine; a busy broker thread never sleeps, so under load its passes batch as before.
    /// </summary>
    public void PostAndRun(IBrokerWork work)
    {
        if (_stopping)
        {
            return;
        }

        _queue.Enqueue(work);
        if (_sleeping && !_pass.IsHeldByCurrentThread && _pass.TryEnter())
        {
            bool drained;
            try
            {
                drained = _stopping || RunQueued(Environment.TickCount64);
            }
            catch (OutOfMemoryException ex)
            {
                // Guard lets it through to end the broker; on a reader's task it would end that reader unseen instead.
                _fatal = ExceptionDispatchInfo.Capture(ex);
                drained = false;
            }
            finally
            {
                _pass.Exit();
            }

            if (drained)
            {
                return;
            }
        }

        _wake.Set();
    }

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
            // A reader's pass may still be running: the engine is not let go while it does.
            lock (_pass)
            {
                _stopped.TrySetResult();
            }
        }
    }

    private void RunPasses()
    {
        long period = (long)tickInterval.TotalMilliseconds;
        long nextTick = Environment.TickCount64 + period;
        while (!_stopping)
        {
            _fatal?.Throw();
            long now = Environment.TickCount64;
            bool drained;
            lock (_pass)
            {
                if (now >= nextTick)
                {
                    Guard(tick, now);
                    nextTick = now + period;
                }

                drained = RunQueued(now);
            }

            if (!drained)
            {
                continue;
            }

            // Reset, then look again: a post between the two sets the event, so none is slept through. One after
            // the flag is up may run its pass on its own thread instead (PostAndRun).
            _wake.Reset();
            _sleeping = true;
            if (_queue.IsEmpty && !_stopping)
            {
                _wake.Wait((int)Math.Max(1, nextTick - Environment.TickCount64));
            }

            _sleeping = false;
        }
    }

    /// <summary>Runs up to a pass's worth of queued work, then the flush (under the pass lock); true if the queue is then empty.</summary>
    private bool RunQueued(long now)
    {
        for (int i = 0; i < MaxWorkPerPass && _queue.TryDequeue(out IBrokerWork? work); i++)
        {
            Guard(work.Run, now);
        }

        Guard(flush, now);
        return _queue.IsEmpty;
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
