namespace Mq.IntegrationTests.Infrastructure;

/// <summary>A fresh temporary folder for a test's Unix socket files, deleted with everything in it on dispose.</summary>
public sealed class SocketFolder : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mq-unix-");

    /// <summary>The path of the socket file <paramref name="name"/> in the folder.</summary>
    public string PathOf(string name = "broker.sock") => Path.Combine(_directory.FullName, name);

    /// <summary>The <c>unix://</c> endpoint of the socket file <paramref name="name"/> in the folder.</summary>
    public string Endpoint(string name = "broker.sock") => "unix://" + PathOf(name);

    public void Dispose() => _directory.Delete(recursive: true);
}
