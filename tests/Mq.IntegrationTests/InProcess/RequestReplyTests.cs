using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.InProcess;

public sealed class RequestReplyTests : IAsyncLifetime
{
    private static readonly RequestOptions Patient = new() { Timeout = TimeSpan.FromSeconds(30) };
    private InProcessBroker _broker = null!;
    private MqClient _server = null!;
    private MqClient _requester = null!;

    public async Task InitializeAsync()
    {
        _broker = await InProcessBroker.StartAsync();
        _server = await _broker.ConnectAsync("server");
        _requester = await _broker.ConnectAsync("requester");
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_request_gets_its_reply_with_headers_both_ways()
    {
        await using MqService service = await _server.ServeAsync("greet", (request, _) =>
        {
            request.ReplyHeaders["seen-correlation"] = request.Headers?["correlation-id"] ?? "none";
            return ValueTask.FromResult(Serialize("hello " + request.Deserialize<string>()));
        });

        MqReply reply = await _requester.RequestAsync("greet", Serialize("ada"), new RequestOptions { Headers = new Dictionary<string, string> { ["correlation-id"] = "c-1" } });

        Assert.Equal("hello ada", reply.Deserialize<string>());
        Assert.Equal("c-1", reply.Headers!["seen-correlation"]);
    }

    [Fact]
    public async Task An_echo_service_returns_the_request_bytes_unchanged()
    {
        await using MqService echo = await _server.ServeAsync("echo", (request, _) => ValueTask.FromResult(request.Data));
        byte[] payload = [0x92, 0x01, 0x02];

        MqReply reply = await _requester.RequestAsync("echo", payload);

        Assert.Equal(payload, reply.Data.ToArray());
    }

    [Fact]
    public async Task Nobody_serving_fails_at_once_with_no_responders_not_a_timeout()
    {
        // The request may wait 30 s; the test allows 5: only an immediate answer passes.
        Task<MqReply> request = _requester.RequestAsync("nobody.home", default, Patient).AsTask();
        NoRespondersException error = await Assert.ThrowsAsync<NoRespondersException>(() => request.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("nobody.home", error.Message);
    }

    [Fact]
    public async Task A_handler_exception_comes_back_as_a_remote_error_with_its_message()
    {
        await using MqService service = await _server.ServeAsync("fails", (_, _) => throw new InvalidOperationException("inventory is closed"));

        RemoteErrorException error = await Assert.ThrowsAsync<RemoteErrorException>(async () => await _requester.RequestAsync("fails", default));
        Assert.Contains("inventory is closed", error.Message);
        Assert.Equal(1, service.Failed);
    }

    [Fact]
    public async Task A_reply_later_than_the_deadline_is_a_timeout()
    {
        var release = new TaskCompletionSource();
        await using MqService service = await _server.ServeAsync("slow", async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return ReadOnlyMemory<byte>.Empty;
        });

        await Assert.ThrowsAsync<MqTimeoutException>(async () =>
            await _requester.RequestAsync("slow", default, new RequestOptions { Timeout = TimeSpan.FromMilliseconds(200) }));
        await Waits.UntilAsync(() => Task.FromResult(service.Cancelled == 1), "the handler's deadline cancelling it");
        Assert.Equal(0, service.Failed);
        release.SetResult();
    }

    [Fact]
    public async Task A_server_that_goes_away_while_holding_a_request_fails_it_with_responder_lost_at_once()
    {
        MqClient doomed = await _broker.ConnectAsync("doomed-server", o => o with { DrainTimeout = TimeSpan.FromSeconds(1) });
        var holding = new TaskCompletionSource();
        await doomed.ServeAsync("hold", async (_, ct) =>
        {
            holding.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ReadOnlyMemory<byte>.Empty;
        });

        Task<MqReply> request = _requester.RequestAsync("hold", default, Patient).AsTask();
        await holding.Task.WaitAsync(Waits.Default);
        await doomed.DisposeAsync();

        ResponderLostException error = await Assert.ThrowsAsync<ResponderLostException>(() => request.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("doomed-server", error.Message);
    }

    [Fact]
    public async Task Requests_are_balanced_across_the_peers_serving_a_name()
    {
        MqClient second = await _broker.ConnectAsync("server-2");
        await using MqService first = await _server.ServeAsync("balanced", (_, _) => ValueTask.FromResult(Serialize("one")));
        await using MqService other = await second.ServeAsync("balanced", (_, _) => ValueTask.FromResult(Serialize("two")));

        for (int i = 0; i < 100; i++)
        {
            await _requester.RequestAsync("balanced", default);
        }

        // Sequential requests leave both servers idle between them, so round robin alternates exactly.
        Assert.Equal(50, first.Handled);
        Assert.Equal(50, other.Handled);
    }

    [Fact]
    public async Task Least_outstanding_work_wins_over_round_robin()
    {
        MqClient second = await _broker.ConnectAsync("server-2");
        var busyStarted = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await using MqService busy = await _server.ServeAsync("work", async (_, ct) =>
        {
            busyStarted.TrySetResult();
            await release.Task.WaitAsync(ct);
            return ReadOnlyMemory<byte>.Empty;
        });
        await using MqService idle = await second.ServeAsync("work", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));

        // The first request goes to whichever is first in turn; if that was the idle one, repeat until the busy one holds one.
        Task<MqReply> held = _requester.RequestAsync("work", default, Patient).AsTask();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            await Task.WhenAny(held, busyStarted.Task).WaitAsync(Waits.Default);
            if (busyStarted.Task.IsCompleted)
            {
                break;
            }

            held = _requester.RequestAsync("work", default, Patient).AsTask();
        }

        Assert.True(busyStarted.Task.IsCompleted, "round robin never handed a request to the busy server");
        long idleBefore = idle.Handled;
        for (int i = 0; i < 20; i++)
        {
            await _requester.RequestAsync("work", default);
        }

        Assert.Equal(idleBefore + 20, idle.Handled);
        release.SetResult();
        await held;
    }

    [Fact]
    public async Task A_peer_serves_and_requests_on_one_connection_with_many_requests_in_flight()
    {
        await using MqService onServer = await _server.ServeAsync<int, int>("double", (x, _) => ValueTask.FromResult(x * 2));
        await using MqService onRequester = await _requester.ServeAsync<int, int>("square", (x, _) => ValueTask.FromResult(x * x));

        Task<int>[] doubles = Enumerable.Range(0, 500).Select(i => _requester.RequestAsync<int, int>("double", i).AsTask()).ToArray();
        Task<int>[] squares = Enumerable.Range(0, 500).Select(i => _server.RequestAsync<int, int>("square", i).AsTask()).ToArray();

        Assert.Equal(Enumerable.Range(0, 500).Select(i => i * 2), await Task.WhenAll(doubles).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i * i), await Task.WhenAll(squares).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Serving_twice_on_one_client_is_refused_and_an_invalid_name_is_an_invalid_subject()
    {
        await using MqService service = await _server.ServeAsync("once", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await _server.ServeAsync("once", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)));
        await Assert.ThrowsAsync<InvalidSubjectException>(async () => await _server.ServeAsync("bad.*", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)));
        await Assert.ThrowsAsync<InvalidSubjectException>(async () => await _requester.RequestAsync("bad name", default));
    }

    [Fact]
    public async Task After_unserve_the_name_has_no_responders()
    {
        MqService service = await _server.ServeAsync("temporary", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));
        await _requester.RequestAsync("temporary", default);
        await service.DisposeAsync();

        await Assert.ThrowsAsync<NoRespondersException>(async () => await _requester.RequestAsync("temporary", default));
    }

    private static ReadOnlyMemory<byte> Serialize<T>(T value) => MessagePack.MessagePackSerializer.Serialize(value);
}
