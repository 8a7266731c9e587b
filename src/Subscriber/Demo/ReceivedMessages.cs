using System.Collections.Concurrent;

namespace Mq.Subscriber.Demo;

/// <summary>What this demo subscriber has received, shared by its message handler and its stats service.</summary>
internal sealed class ReceivedMessages(string name)
{
    private readonly ConcurrentDictionary<string, long> _bySubject = new(StringComparer.Ordinal);
    private long _total;
    private string? _last;

    public void Add(string subject)
    {
        _bySubject.AddOrUpdate(subject, 1, static (_, n) => n + 1);
        Interlocked.Increment(ref _total);
        Volatile.Write(ref _last, subject);
    }

    public DemoStats Snapshot() => new(name, Interlocked.Read(ref _total), Volatile.Read(ref _last), new Dictionary<string, long>(_bySubject));
}
