using Mq.Rpc;

namespace Mq.IntegrationTests.Rpc;

/// <summary><see cref="IGreeterV1"/> with an optional trailing parameter and a new method: both compatible changes.</summary>
[MqContract("test.greeter")]
public interface IGreeterV2
{
    Task<string> GreetAsync(string name, string greeting = "hello");

    ValueTask<int> VersionAsync();
}
