using System.Collections.Concurrent;
using System.Diagnostics;
using Mq.Diagnostics;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>Listens to Mq's activity source and the tests' own, and keeps every span that ended.</summary>
public sealed class ActivityRecorder : IDisposable
{
    /// <summary>The tests' own source: the spans a test or a handler starts around Mq's.</summary>
    public static readonly ActivitySource TestSource = new(TestSourceName);

    // Matched by name: comparing with TestSource itself would initialise it inside AddActivityListener, too late to be seen.
    private const string TestSourceName = "Mq.IntegrationTests";

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly SemaphoreSlim _changed = new(0);

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is MqDiagnostics.ActivitySourceName or TestSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                _stopped.Enqueue(activity);
                _changed.Release();
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Waits until a span named <paramref name="name"/> of <paramref name="traceId"/> has ended.</summary>
    public async Task<Activity> WaitForAsync(ActivityTraceId traceId, string name) => (await WaitForAsync(traceId, name, 1))[0];

    /// <summary>Waits until <paramref name="count"/> spans named <paramref name="name"/> of <paramref name="traceId"/> have ended.</summary>
    public async Task<IReadOnlyList<Activity>> WaitForAsync(ActivityTraceId traceId, string name, int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Waits.Default);
        while (true)
        {
            List<Activity> found = [.. _stopped.Where(a => a.TraceId == traceId && a.DisplayName == name)];
            if (found.Count >= count)
            {
                return found;
            }

            try
            {
                await _changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                string seen = string.Join(", ", _stopped.Where(a => a.TraceId == traceId).Select(a => a.DisplayName));
                throw new TimeoutException($"{found.Count} of {count} spans '{name}' ended in trace {traceId}; ended: {seen}");
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _changed.Dispose();
    }
}
