namespace Mq.IntegrationTests.Rpc;

/// <summary>A server of the second version of the greeter contract.</summary>
public sealed class GreeterV2 : IGreeterV2
{
    public Task<string> GreetAsync(string name, string greeting = "hello") => Task.FromResult($"{greeting} {name}");

    public ValueTask<int> VersionAsync() => ValueTask.FromResult(2);
}
