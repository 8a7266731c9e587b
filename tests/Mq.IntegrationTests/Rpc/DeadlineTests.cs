using Mq.Client;
using Mq.Errors;
using Mq.Rpc;

namespace Mq.IntegrationTests.Rpc;

/// <summary>Which deadline a call gets (the proxy's, else the contract's, else the client's) and what the caller's token does.</summary>
public sealed class DeadlineTests : RpcTestBase
{
    [Fact]
    public async Task The_contract_timeout_beats_the_client_default_and_fires_the_server_token()
    {
        var slow = new Slow();
        await using MqObjectService served = await Server.ServeObjectAsync<ISlow>(slow);

        // The client allows 60 s, the contract 300 ms: only the contract's deadline ends the call within the wait.
        Task<int> call = Caller.CreateProxy<ISlow>().WaitAsync(60_000, CancellationToken.None);
        await Assert.ThrowsAsync<MqTimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(20)));
        await slow.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task The_proxy_timeout_beats_the_contract_timeout()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<ISlow>(new Slow());
        ISlow patient = Caller.CreateProxy<ISlow>(new ProxyOptions { Timeout = TimeSpan.FromSeconds(30) });

        // Longer than the contract's 300 ms: it returns only because the proxy's deadline applies.
        Assert.Equal(900, await patient.WaitAsync(900, CancellationToken.None));
    }

    [Fact]
    public async Task Cancelling_the_caller_token_ends_the_call_at_once_with_operation_cancelled()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<ISlow>(new Slow());
        ISlow patient = Caller.CreateProxy<ISlow>(new ProxyOptions { Timeout = TimeSpan.FromSeconds(60) });
        using var cancel = new CancellationTokenSource();

        Task<int> call = patient.WaitAsync(60_000, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
