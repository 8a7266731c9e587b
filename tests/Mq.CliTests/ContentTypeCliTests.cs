using System.Text.Json;
using Mq.Testing;

namespace Mq.CliTests;

/// <summary>Payloads in JSON and XML sent with <c>--content-type</c>, and printed as JSON by the subscriber whatever their format.</summary>
public sealed class ContentTypeCliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Json_and_xml_payloads_are_sent_as_given_and_printed_as_json_with_their_content_type()
    {
        string topic = Cli.Unique("formats");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", $"{topic}.>", "--output", "json", "--count", "2");
        await using PeerProcess json = Cli.Publisher(fixture.Broker.Endpoint, $"{topic}.json", """{"id":7}""", "--content-type", "json");
        Assert.Equal(0, (await Cli.RunAsync(json)).ExitCode);
        await using PeerProcess xml = Cli.Publisher(fixture.Broker.Endpoint, $"{topic}.xml", "<Parcel><id>8</id></Parcel>", "--content-type", "application/xml");
        Assert.Equal(0, (await Cli.RunAsync(xml)).ExitCode);

        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        using JsonDocument first = JsonDocument.Parse(subscriber.StandardOutput[0]);
        using JsonDocument second = JsonDocument.Parse(subscriber.StandardOutput[1]);
        Assert.Equal(7, first.RootElement.GetProperty("payload").GetProperty("id").GetInt32());
        Assert.Equal("application/json", first.RootElement.GetProperty("headers").GetProperty("content-type").GetString());
        Assert.Equal("8", second.RootElement.GetProperty("payload").GetProperty("Parcel").GetProperty("id").GetString());
        Assert.Equal("application/xml", second.RootElement.GetProperty("headers").GetProperty("content-type").GetString());
    }

    [Fact]
    public async Task A_payload_that_is_not_its_content_type_is_one_clear_error_and_nothing_is_sent()
    {
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, Cli.Unique("formats.bad"), "<open>", "--content-type", "xml");

        Assert.Equal(7, (await Cli.RunAsync(publisher)).ExitCode); // bad payload
        Assert.Contains("the application/xml payload is not valid XML", publisher.StandardError.Single(), StringComparison.Ordinal);
        Assert.Empty(publisher.StandardOutput);
    }
}
