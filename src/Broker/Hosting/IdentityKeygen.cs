using System.Security.Cryptography;

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
        if (!force && (File.Exists(path) || File.Exists(path + ".pub")))
        {
            error.WriteLine($"{path} or {path}.pub exists; use --force to replace it");
            return 1;
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string publicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        try
        {
            // Created with owner-only permissions from the start, so the key is never readable by others, not even briefly.
            File.Delete(path);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(path, options))
            {
                writer.Write(key.ExportPkcs8PrivateKeyPem());
            }

            File.WriteAllText(path + ".pub", publicKey + Environment.NewLine);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"cannot write the key pair to {path}: {ex.Message}");
            return 1;
        }

        output.WriteLine(publicKey);
        return 0;
    }
}
