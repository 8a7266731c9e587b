using Mq.Security;
using NetMQ;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>A temporary directory for key files, deleted with everything in it when disposed.</summary>
public sealed class TempKeys : IDisposable
{
    public TempKeys()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("mq-keys-").FullName;
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Writes a new key pair as <c>Mq.Broker keygen</c> would; returns it and the secret key file's path.</summary>
    public (NetMQCertificate Certificate, string SecretKeyFile) Write(string name)
    {
        var certificate = new NetMQCertificate();
        string path = PathOf(name);
        CurveKeys.WriteKeyPair(path, certificate, overwrite: false);
        return (certificate, path);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
