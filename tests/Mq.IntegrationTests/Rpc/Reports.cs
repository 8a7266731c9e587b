namespace Mq.IntegrationTests.Rpc;

/// <summary>An <see cref="IProgress{T}"/> that keeps every report as it comes (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
public sealed class Reports<T> : IProgress<T>
{
    private readonly List<T> _values = [];

    public IReadOnlyList<T> Values
    {
        get
        {
            lock (_values)
            {
                return [.. _values];
            }
        }
    }

    public void Report(T value)
    {
        lock (_values)
        {
            _values.Add(value);
        }
    }
}
