namespace Mq.Benchmarks;

/// <summary>A line a role prints to its parent at most once, whichever thread notices first.</summary>
internal sealed class OnceLine(string line)
{
    private int _printed;

    public void Announce()
    {
        if (Interlocked.Exchange(ref _printed, 1) == 0)
        {
            Console.WriteLine(line);
        }
    }
}
