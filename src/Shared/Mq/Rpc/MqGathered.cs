using Mq.Errors;

namespace Mq.Rpc;

/// <summary>
/// One server's answer to a scatter-gather call (<c>MqClient.GatherAsync</c>): its result, or, when
/// <see cref="Client.RequestManyOptions.IncludeFailures"/> asked for failures, the exception the same call through a
/// proxy would have thrown.
/// </summary>
public sealed class MqGathered<T>
{
    private readonly T _value;

    internal MqGathered(string? responder, T value, MqException? failure)
    {
        Responder = responder;
        _value = value;
        Failure = failure;
    }

    /// <summary>The peer id of the server that answered (its <c>MqClient.PeerId</c>).</summary>
    public string? Responder { get; }

    /// <summary>Null when the server answered with a result.</summary>
    public MqException? Failure { get; }

    /// <summary>The server's result; throws <see cref="Failure"/> when it failed.</summary>
    public T Value => Failure is null ? _value : throw Failure;
}
