namespace Mq.IntegrationTests.Rpc;

/// <summary>A server of the first version of the greeter contract.</summary>
public sealed class GreeterV1 : IGreeterV1
{
    public Task<string> GreetAsync(string name) => Task.FromResult($"hi {name}");
}
