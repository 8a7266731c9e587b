using Mq.Security;
using NetMQ;

namespace Mq.Broker.Server;

/// <summary>
/// CURVE encryption of the broker's endpoint ("Broker:Curve" section). Give the broker's secret key either as a
/// file (preferred: a value on the command line shows in the process list) or as z85 text; its public key, which
/// peers pin, is derived from it. Neither set: plain ZMTP.
/// </summary>
public sealed class BrokerCurveOptions
{
    /// <summary>A file holding the broker's z85 secret key, as written by <c>Mq.Broker keygen</c>; must be mode 0600 or stricter.</summary>
    public string? SecretKeyFile { get; set; }

    /// <summary>The broker's z85 secret key itself.</summary>
    public string? SecretKey { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(SecretKeyFile) || !string.IsNullOrEmpty(SecretKey);

    // Never print the key, whoever formats these options.
    public override string ToString() => Enabled ? "CURVE on" : "CURVE off";

    /// <summary>The broker's key pair, or null when CURVE is off. Throws <see cref="KeyFileException"/> with a message free of the key.</summary>
    public NetMQCertificate? LoadCertificate()
    {
        if (!string.IsNullOrEmpty(SecretKeyFile) && !string.IsNullOrEmpty(SecretKey))
        {
            throw new KeyFileException("set Broker:Curve:SecretKeyFile or Broker:Curve:SecretKey, not both");
        }

        if (!string.IsNullOrEmpty(SecretKeyFile))
        {
            return CurveKeys.LoadSecretKeyFile(SecretKeyFile);
        }

        return string.IsNullOrEmpty(SecretKey) ? null : CurveKeys.FromSecretKey(SecretKey, "Broker:Curve:SecretKey");
    }

    internal string? Problem()
    {
        try
        {
            LoadCertificate();
            return null;
        }
        catch (KeyFileException ex)
        {
            return ex.Message;
        }
    }
}
