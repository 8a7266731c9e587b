using System.ComponentModel.DataAnnotations;
using Mq.Broker.Server;
using Mq.Hosting;
using Mq.Security;
using NetMQ;

namespace Mq.UnitTests.Security;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CurveKeysTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mq-keys-").FullName;
    private readonly NetMQCertificate _keys = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_written_pair_reads_back_and_the_public_key_is_derived_from_the_secret()
    {
        string path = Path.Combine(_directory, "k");
        CurveKeys.WriteKeyPair(path, _keys, overwrite: false);

        Assert.Equal(_keys.PublicKeyZ85, CurveKeys.LoadSecretKeyFile(path).PublicKeyZ85);
        Assert.Equal(_keys.PublicKeyZ85, CurveKeys.ReadPublicKeyFile(path + ".pub"));
        Assert.Equal(_keys.PublicKeyZ85, CurveKeys.PublicKeyArgument("@" + path + ".pub", "--broker-key"));
        Assert.Throws<KeyFileException>(() => CurveKeys.WriteKeyPair(path, _keys, overwrite: false));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("0123456789012345678901234567890123456789~")]
    [InlineData("012345678901234567890123456789012345678~")]
    public void Malformed_keys_are_refused_without_repeating_them(string key)
    {
        var error = Assert.Throws<KeyFileException>(() => CurveKeys.FromSecretKey(key, "the key"));
        Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_two_keys_is_refused_and_its_keys_are_not_shown()
    {
        string path = Path.Combine(_directory, "two");
        File.WriteAllText(path, $"# comment\n{_keys.SecretKeyZ85}\n{_keys.PublicKeyZ85}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<KeyFileException>(() => CurveKeys.LoadSecretKeyFile(path));
        Assert.Contains("exactly one", error.Message);
        Assert.DoesNotContain(_keys.SecretKeyZ85!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_one_line_error()
    {
        var options = new BrokerOptions { Curve = new BrokerCurveOptions { SecretKeyFile = Path.Combine(_directory, "absent") } };
        string error = Assert.Single(options.Validate());
        Assert.StartsWith("cannot read key file", error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void Both_a_key_and_a_key_file_is_an_error_and_ToString_hides_the_key()
    {
        var curve = new BrokerCurveOptions { SecretKey = _keys.SecretKeyZ85, SecretKeyFile = "x" };
        Assert.Contains("not both", Assert.Single(new BrokerOptions { Curve = curve }.Validate()));
        Assert.DoesNotContain(_keys.SecretKeyZ85!, curve.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_without_the_broker_key_is_an_error()
    {
        string problem = Assert.Single(new BrokerOptions { PolicyFile = "/nonexistent/policy.json" }.Validate(), p => p.Contains("PolicyFile needs the broker key"));
        Assert.Contains("relay", problem);
    }

    [Fact]
    public void Peer_options_from_configuration_are_checked_at_start()
    {
        var good = new MqOptions { BrokerPublicKey = _keys.PublicKeyZ85 };
        var badKey = new MqOptions { BrokerPublicKey = "not-a-key" };

        Assert.Empty(Problems(good));
        Assert.Contains(Problems(badKey), p => p.Contains("BrokerPublicKey"));
        Assert.Equal(_keys.PublicKeyZ85, good.ToClientOptions().BrokerPublicKey);
    }

    private static List<string> Problems(MqOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "").ToList();
    }
}
