using Mq.Security;
using NetMQ;

namespace Mq.Broker.Hosting;

/// <summary><c>Mq.Broker keygen</c>: a new CURVE key pair in two files, the secret one private from its creation.</summary>
public static class KeyGenerator
{
    /// <summary>Writes <paramref name="path"/> and <paramref name="path"/>.pub and prints the public key; returns the exit code.</summary>
    public static int Run(string path, bool force, TextWriter output, TextWriter error)
    {
        try
        {
            var certificate = new NetMQCertificate();
            CurveKeys.WriteKeyPair(path, certificate, force);
            output.WriteLine(certificate.PublicKeyZ85);
            error.WriteLine($"wrote {path} (secret, mode 0600) and {path}{CurveKeys.PublicKeySuffix} (public)");
            return 0;
        }
        catch (KeyFileException ex)
        {
            error.WriteLine(ex.Message);
            return 1;
        }
    }
}
