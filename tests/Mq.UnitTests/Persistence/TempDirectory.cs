namespace Mq.UnitTests.Persistence;

/// <summary>A directory of its own per test, deleted with everything in it when the test ends.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mq-persistence-" + Guid.NewGuid().ToString("N"));

    public string Segment(string stream, ulong firstSequence) =>
        System.IO.Path.Combine(Path, "streams", stream, firstSequence.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + ".seg");

    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
