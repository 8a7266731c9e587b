using Mq.Client;
using Mq.Testing;

namespace Mq.IntegrationTests.Kit;

public sealed class RecorderTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_recorder_keeps_what_arrives_on_its_pattern_and_awaits_a_count_or_a_predicate()
    {
        await using MessageRecorder<string> recorder = await fixture.Broker.RecordAsync<string>("rec.*.created");
        await using MqClient publisher = await fixture.Broker.ConnectAsync("publisher");
        await publisher.PublishAsync("rec.eu.created", "a");
        await publisher.PublishAsync("rec.eu.deleted", "not recorded");
        await publisher.PublishAsync("rec.us.created", "b");

        RecordedMessage<string> us = await recorder.WaitForAsync(m => m.Subject == "rec.us.created", Bound);
        IReadOnlyList<RecordedMessage<string>> all = await recorder.WaitForCountAsync(2, Bound);

        Assert.Equal("b", us.Payload);
        Assert.Equal(["a", "b"], all.Select(m => m.Payload));
    }

    [Fact]
    public async Task A_recorder_that_times_out_says_what_did_arrive()
    {
        await using MessageRecorder<int> recorder = await fixture.Broker.RecordAsync<int>("rec.count");
        await using MqClient publisher = await fixture.Broker.ConnectAsync("publisher");
        await publisher.PublishAsync("rec.count", 7);
        await recorder.WaitForCountAsync(1, Bound);

        TimeoutException timeout = await Assert.ThrowsAsync<TimeoutException>(() => recorder.WaitForCountAsync(2, TimeSpan.FromMilliseconds(200)));

        Assert.Contains("1 arrived", timeout.Message);
        Assert.Contains("rec.count: 7", timeout.Message);
    }
}
