using Mq.Client;
using Mq.Errors;
using Mq.Rpc;

namespace Mq.IntegrationTests.Rpc;

/// <summary>docs/rpc.md's versioning rules: adding methods and optional trailing parameters is compatible both ways.</summary>
public sealed class VersioningTests : RpcTestBase
{
    [Fact]
    public async Task An_old_server_ignores_an_added_optional_argument_and_a_missing_method_fails_at_once()
    {
        await using MqObjectService old = await Server.ServeObjectAsync<IGreeterV1>(new GreeterV1());
        IGreeterV2 greeter = Caller.CreateProxy<IGreeterV2>();

        Assert.Equal("hi ada", await greeter.GreetAsync("ada", "hey"));

        // The caller allows 60 s; only an immediate answer passes the 5 s wait.
        Task<int> version = greeter.VersionAsync().AsTask();
        NoRespondersException error = await Assert.ThrowsAsync<NoRespondersException>(() => version.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("no server has method 'Version' of contract 'test.greeter' (service 'test.greeter.Version')", error.Message);
        Assert.Contains("a version of the contract without it", error.Message);
    }

    [Fact]
    public async Task A_new_server_gives_an_old_caller_the_default_of_an_added_parameter()
    {
        await using MqObjectService current = await Server.ServeObjectAsync<IGreeterV2>(new GreeterV2());
        IGreeterV1 greeter = Caller.CreateProxy<IGreeterV1>();

        Assert.Equal("hello ada", await greeter.GreetAsync("ada"));
    }
}
