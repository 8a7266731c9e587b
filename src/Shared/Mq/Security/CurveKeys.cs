using System.Text;
using NetMQ;

namespace Mq.Security;

/// <summary>
/// CURVE keys as Mq stores them: z85 text (40 characters per 32-byte key), one key per file. A secret key file
/// holds only the secret key (the public key is derived from it) and must be private to its owner, as ssh
/// requires of its identity files; a public key file (<c>.pub</c>) may be read by anyone.
/// Every error message names the file or setting and the problem, never the key.
/// </summary>
public static class CurveKeys
{
    /// <summary>Length of a z85-encoded 32-byte key.</summary>
    public const int Z85Length = 40;

    /// <summary>Suffix of the public key file written next to a secret key file.</summary>
    public const string PublicKeySuffix = ".pub";

    private const string Z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Null if <paramref name="z85"/> is a well-formed z85 key, else why not (without the value).</summary>
    public static string? Problem(string? z85, string what)
    {
        if (string.IsNullOrEmpty(z85))
        {
            return $"{what} is empty";
        }

        if (z85.Length != Z85Length)
        {
            return $"{what} must be {Z85Length} z85 characters (a 32-byte CURVE key), not {z85.Length}";
        }

        return z85.All(c => Z85Alphabet.Contains(c, StringComparison.Ordinal)) ? null : $"{what} contains characters that are not z85";
    }

    /// <summary>The key pair of a z85 secret key; its public key is derived from it.</summary>
    public static NetMQCertificate FromSecretKey(string z85, string what)
    {
        ThrowIfBad(z85, what);
        return NetMQCertificate.CreateFromSecretKey(z85);
    }

    /// <summary>The raw bytes of a z85 public key.</summary>
    public static byte[] PublicKeyBytes(string z85, string what)
    {
        ThrowIfBad(z85, what);
        return NetMQCertificate.FromPublicKey(z85).PublicKey;
    }

    /// <summary>Reads a secret key file, refusing one that group or others may access.</summary>
    public static NetMQCertificate LoadSecretKeyFile(string path)
    {
        string text = ReadKeyText(path, requirePrivate: true);
        return FromSecretKey(text, $"the secret key in '{path}'");
    }

    /// <summary>Reads a public key file (as written by <c>Mq.Broker keygen</c>) and returns the z85 key.</summary>
    public static string ReadPublicKeyFile(string path)
    {
        string text = ReadKeyText(path, requirePrivate: false);
        ThrowIfBad(text, $"the public key in '{path}'");
        return text;
    }

    /// <summary>A public key given on a command line: z85 itself, or <c>@path</c> of a public key file.</summary>
    public static string PublicKeyArgument(string value, string what)
    {
        // '@' is a z85 character too: a key that starts with it is a key unless such a file exists.
        bool isFile = value.StartsWith('@') && (File.Exists(value[1..]) || Problem(value, what) is not null);
        return isFile ? ReadPublicKeyFile(value[1..]) : ThrowIfBad(value, what);
    }

    /// <summary>
    /// Writes <paramref name="path"/> (the secret key, created with mode 0600 so it is never readable by others,
    /// not even for a moment) and <paramref name="path"/>.pub (the public key, 0644).
    /// </summary>
    public static void WriteKeyPair(string path, NetMQCertificate certificate, bool overwrite) =>
        WriteKeyFiles(
            path,
            "# Mq CURVE secret key (z85). Keep it private: whoever holds it can pose as its owner.\n" + certificate.SecretKeyZ85 + "\n",
            "# Mq CURVE public key (z85). Give it to the peers that must recognise this key's owner.\n" + certificate.PublicKeyZ85 + "\n",
            overwrite);

    /// <summary>
    /// Writes a secret key file (owner-only from its creation) and its public twin (<paramref name="path"/>.pub),
    /// refusing to replace existing files unless <paramref name="overwrite"/>.
    /// </summary>
    public static void WriteKeyFiles(string path, string secretText, string publicText, bool overwrite)
    {
        string publicPath = path + PublicKeySuffix;
        if (!overwrite && (File.Exists(path) || File.Exists(publicPath)))
        {
            throw new KeyFileException($"'{(File.Exists(path) ? path : publicPath)}' already exists; use --force to replace the key pair");
        }

        try
        {
            if (overwrite)
            {
                // An existing file keeps its mode when truncated: replace it instead, so the new one is created private.
                File.Delete(path);
                File.Delete(publicPath);
            }

            WriteNew(path, secretText, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            WriteNew(publicPath, publicText, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException($"cannot write the key pair '{path}': {ex.Message}", ex);
        }
    }

    private static void WriteNew(string path, string text, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(text));
        }

        if (!OperatingSystem.IsWindows())
        {
            // The umask may have taken bits away; the public file should be readable as documented.
            File.SetUnixFileMode(path, mode);
        }
    }

    private static string ReadKeyText(string path, bool requirePrivate)
    {
        string[] lines;
        try
        {
            if (Directory.Exists(path))
            {
                throw new KeyFileException($"cannot read key file '{path}': it is a directory");
            }

            if (requirePrivate && !OperatingSystem.IsWindows())
            {
                UnixFileMode mode = File.GetUnixFileMode(path);
                if ((mode & GroupOrOthers) != 0)
                {
                    throw new KeyFileException(
                        $"secret key file '{path}' is accessible by group or others (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); run chmod 600 on it");
                }
            }

            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new KeyFileException($"cannot read key file '{path}': {ex.Message}", ex);
        }

        // Comment lines (#) and blank lines are allowed around the one key line.
        string[] keys = lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        return keys.Length == 1 ? keys[0] : throw new KeyFileException($"key file '{path}' must hold exactly one z85 key line, found {keys.Length}");
    }

    private static string ThrowIfBad(string z85, string what) =>
        Problem(z85, what) is { } problem ? throw new KeyFileException(problem) : z85;
}
