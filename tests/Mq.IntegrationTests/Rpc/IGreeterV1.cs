using Mq.Rpc;

namespace Mq.IntegrationTests.Rpc;

/// <summary>The first version of a contract whose second, <see cref="IGreeterV2"/>, adds an optional parameter and a method.</summary>
[MqContract("test.greeter")]
public interface IGreeterV1
{
    Task<string> GreetAsync(string name);
}
