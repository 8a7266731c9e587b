using Mq.Client;
using Mq.Errors;
using Mq.Testing;

namespace Mq.IntegrationTests.Rpc;

/// <summary>RequestManyAsync: every server heard, each reply naming its server, MaxReplies and the timeout ending it quietly.</summary>
public sealed class ScatterGatherTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private TestBroker _broker = null!;
    private MqClient _first = null!;
    private MqClient _second = null!;
    private MqClient _requester = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _first = await _broker.ConnectAsync("first");
        _second = await _broker.ConnectAsync("second");
        _requester = await _broker.ConnectAsync("requester");
    }

    public async Task DisposeAsync()
    {
        await _requester.DisposeAsync();
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Every_server_answers_and_each_reply_names_its_server()
    {
        await using MqService first = await _first.ServeAsync("census", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 1 }));
        await using MqService second = await _second.ServeAsync("census", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 2 }));

        List<MqReply> replies = await CollectAsync(_requester.RequestManyAsync("census", default, new RequestManyOptions { Timeout = Bound }));

        Assert.Equal([1, 2], replies.Select(r => (int)r.Data.Span[0]).Order());
        Assert.Equal([_first.PeerId, _second.PeerId], replies.OrderBy(r => r.Data.Span[0]).Select(r => r.Responder));
    }

    [Fact]
    public async Task Max_replies_ends_the_gathering_and_stops_the_slower_server()
    {
        var slow = new CancellationProbe();
        await using MqService first = await _first.ServeAsync("census", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 1 }));
        await using MqService second = await _second.ServeAsync("census", slow.WaitAsync);

        List<MqReply> replies = await CollectAsync(_requester.RequestManyAsync("census", default, new RequestManyOptions { MaxReplies = 1, Timeout = Bound }));

        Assert.Equal(_first.PeerId, Assert.Single(replies).Responder);
        await slow.Cancelled.WaitAsync(Bound);
    }

    [Fact]
    public async Task The_timeout_ends_the_gathering_with_what_arrived_and_no_exception()
    {
        var release = new TaskCompletionSource();
        await using MqService first = await _first.ServeAsync("census", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 1 }));
        await using MqService second = await _second.ServeAsync("census", async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return default;
        });

        List<MqReply> replies = await CollectAsync(_requester.RequestManyAsync("census", default, new RequestManyOptions { Timeout = TimeSpan.FromMilliseconds(500) }));

        Assert.Equal(_first.PeerId, Assert.Single(replies).Responder);
    }

    [Fact]
    public async Task A_failing_server_counts_as_answered_and_yields_nothing()
    {
        await using MqService first = await _first.ServeAsync("census", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 1 }));
        await using MqService second = await _second.ServeAsync("census", (_, _) => throw new InvalidOperationException("broken"));

        List<MqReply> replies = await CollectAsync(_requester.RequestManyAsync("census", default, new RequestManyOptions { Timeout = Bound }));

        Assert.Equal(_first.PeerId, Assert.Single(replies).Responder);
    }

    [Fact]
    public async Task Asked_for_failures_a_failing_server_yields_its_error_naming_it()
    {
        await using MqService first = await _first.ServeAsync("census", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 1 }));
        await using MqService second = await _second.ServeAsync("census", (_, _) => throw new InvalidOperationException("broken"));

        List<MqReply> replies = await CollectAsync(_requester.RequestManyAsync("census", default, new RequestManyOptions { Timeout = Bound, IncludeFailures = true }));

        Assert.Equal(2, replies.Count);
        MqReply failed = Assert.Single(replies, r => r.Failure is not null);
        Assert.Equal(_second.PeerId, failed.Responder);
        RemoteErrorException error = Assert.IsType<RemoteErrorException>(failed.Failure);
        Assert.Contains("broken", error.Message);
        Assert.True(failed.Data.IsEmpty);
        Assert.Equal(_first.PeerId, Assert.Single(replies, r => r.Failure is null).Responder);
    }

    [Fact]
    public async Task Nobody_serving_is_no_responders()
    {
        await Assert.ThrowsAsync<NoRespondersException>(() => CollectAsync(_requester.RequestManyAsync("nobody.home", default)));
    }

    private static async Task<List<MqReply>> CollectAsync(IAsyncEnumerable<MqReply> replies)
    {
        var all = new List<MqReply>();
        await foreach (MqReply reply in replies.WithCancellation(new CancellationTokenSource(Bound).Token))
        {
            all.Add(reply);
        }

        return all;
    }
}
