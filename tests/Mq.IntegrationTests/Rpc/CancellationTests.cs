using Mq.Client;
using Mq.Errors;
using Mq.Testing;

namespace Mq.IntegrationTests.Rpc;

/// <summary>Cancellation crosses processes: the caller's token, the deadline and the caller leaving all fire the server's token.</summary>
public sealed class CancellationTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _serverCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestBroker _broker = null!;
    private MqClient _server = null!;
    private MqService _service = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _server = await _broker.ConnectAsync("server");
        _service = await _server.ServeAsync("wait", WaitForCancellationAsync);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _server.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Cancelling_the_callers_token_fires_the_servers_token_and_the_caller_gets_cancellation_at_once()
    {
        await using MqClient requester = await _broker.ConnectAsync("requester");
        using var cancel = new CancellationTokenSource();
        Task<MqReply> call = requester.RequestAsync("wait", default, new RequestOptions { Timeout = TimeSpan.FromMinutes(1) }, cancel.Token).AsTask();
        await _started.Task.WaitAsync(Bound);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Bound));
        await _serverCancelled.Task.WaitAsync(Bound);
    }

    [Fact]
    public async Task The_deadline_fires_the_servers_token()
    {
        await using MqClient requester = await _broker.ConnectAsync("requester");

        await Assert.ThrowsAsync<MqTimeoutException>(async () => await requester.RequestAsync("wait", default, new RequestOptions { Timeout = TimeSpan.FromMilliseconds(300) }).AsTask().WaitAsync(Bound));

        await _serverCancelled.Task.WaitAsync(Bound);
    }

    [Fact]
    public async Task The_requester_leaving_fires_the_servers_token()
    {
        MqClient requester = await _broker.ConnectAsync("requester");
        Task<MqReply> call = requester.RequestAsync("wait", default, new RequestOptions { Timeout = TimeSpan.FromMinutes(1) }).AsTask();
        await _started.Task.WaitAsync(Bound);

        await requester.DisposeAsync();

        await _serverCancelled.Task.WaitAsync(Bound);
        await Assert.ThrowsAsync<NotConnectedException>(() => call.WaitAsync(Bound));
    }

    [Fact]
    public async Task The_requesters_connection_dropping_fires_the_servers_token()
    {
        await using MqClient requester = await _broker.ConnectAsync("requester");
        Task<MqReply> call = requester.RequestAsync("wait", default, new RequestOptions { Timeout = TimeSpan.FromMinutes(1) }).AsTask();
        await _started.Task.WaitAsync(Bound);

        Assert.Equal(1, await _broker.SeverAsync("requester"));

        await _serverCancelled.Task.WaitAsync(Bound);
        await Assert.ThrowsAsync<NotConnectedException>(() => call.WaitAsync(Bound));
    }

    private async ValueTask<ReadOnlyMemory<byte>> WaitForCancellationAsync(MqRequest request, CancellationToken cancellationToken)
    {
        _started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _serverCancelled.TrySetResult();
            throw;
        }

        return default;
    }
}
