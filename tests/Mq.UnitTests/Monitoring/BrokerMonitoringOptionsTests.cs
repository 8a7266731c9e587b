using Mq.Broker.Server;

namespace Mq.UnitTests.Monitoring;

public sealed class BrokerMonitoringOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:8222", "127.0.0.1", 8222)]
    [InlineData("localhost:0", "127.0.0.1", 0)]
    [InlineData("[::1]:8222", "::1", 8222)]
    [InlineData("127.1.2.3:65535", "127.1.2.3", 65535)]
    public void Loopback_addresses_are_accepted_as_they_are_written(string address, string ip, int port)
    {
        var options = new BrokerMonitoringOptions { Address = address };

        Assert.Null(options.Problem());
        Assert.Equal(ip, options.EndPoint().Address.ToString());
        Assert.Equal(port, options.EndPoint().Port);
    }

    [Theory]
    [InlineData("0.0.0.0:8222")]
    [InlineData("192.168.1.10:8222")]
    [InlineData("[::]:8222")]
    public void Other_addresses_need_allow_remote(string address)
    {
        Assert.Contains("set Broker:Monitoring:AllowRemote=true", new BrokerMonitoringOptions { Address = address }.Problem());
        Assert.Null(new BrokerMonitoringOptions { Address = address, AllowRemote = true }.Problem());
    }

    [Theory]
    [InlineData("8222")]
    [InlineData(":8222")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("::1:8222")]
    [InlineData("broker.example:8222")]
    [InlineData("http://127.0.0.1:8222")]
    public void Anything_else_is_refused_with_the_expected_form(string address)
    {
        Assert.Contains("must be host:port with an IP address or localhost", new BrokerMonitoringOptions { Address = address }.Problem());
    }

    [Fact]
    public void Unset_is_off_and_valid_and_the_broker_options_report_a_bad_address()
    {
        Assert.False(new BrokerMonitoringOptions().Enabled);
        Assert.Null(new BrokerMonitoringOptions().Problem());
        Assert.Contains(
            new BrokerOptions { Monitoring = new BrokerMonitoringOptions { Address = "0.0.0.0:1" } }.Validate(),
            problem => problem.Contains("is not a loopback address", StringComparison.Ordinal));
    }
}
