using System.Security.Cryptography;
using Mq.Security;

namespace Mq.Broker.Hosting;

/// <summary>
/// <c>Mq.Broker identity --out FILE</c>: a new ECDSA P-256 key pair for a peer identity. The private key (PEM)
/// is created readable by its owner only; the public key, for the broker's policy file, goes to FILE.pub and
/// to standard output.
/// </summary>
internal static class IdentityKeygen
{
    public static int Run(string path, bool force, TextWriter output, TextWriter error)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string publicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        try
        {
            CurveKeys.WriteKeyFiles(path, key.ExportPkcs8PrivateKeyPem() + "\n", publicKey + "\n", force);
        }
        catch (KeyFileException ex)
        {
            error.WriteLine(ex.Message);
            return 1;
        }

        output.WriteLine(publicKey);
        return 0;
    }
}
