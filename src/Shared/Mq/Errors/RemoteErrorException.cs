using Mq.Protocol;

namespace Mq.Errors;

/// <summary>
/// The serving peer's handler failed; the message is the handler's. <see cref="RemoteType"/> names the exception it
/// threw, and a handler that threw <see cref="MqRemoteFaultException"/> sends a typed fault: <see cref="FaultType"/>
/// and <see cref="FaultDetail"/>.
/// </summary>
public sealed class RemoteErrorException : MqException
{
    /// <summary>Reply header naming the full type of the exception the handler threw.</summary>
    public const string TypeHeader = "mq-error-type";

    /// <summary>Reply header with the handler's stack trace, sent only when the server opted in (<see cref="Client.ServeOptions.IncludeExceptionDetails"/>).</summary>
    public const string StackHeader = "mq-error-stack";

    /// <summary>Reply header naming a declared fault; the reply's payload is then the fault's detail.</summary>
    public const string FaultTypeHeader = "mq-fault-type";

    public RemoteErrorException(string message) : base(ErrorCode.RemoteError, message) { }

    public RemoteErrorException() : base(ErrorCode.RemoteError, "RemoteError") { }

    public RemoteErrorException(string message, Exception innerException) : base(ErrorCode.RemoteError, message, innerException) { }

    internal RemoteErrorException(string message, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> detail) : base(ErrorCode.RemoteError, message)
    {
        Headers = headers;
        RemoteType = headers?.GetValueOrDefault(TypeHeader);
        RemoteStack = headers?.GetValueOrDefault(StackHeader);
        FaultType = headers?.GetValueOrDefault(FaultTypeHeader);
        FaultDetail = FaultType is null ? default : detail;
    }

    /// <summary>The full type name of the exception the remote handler threw, when the server said.</summary>
    public string? RemoteType { get; }

    /// <summary>The remote handler's stack trace, only when the server includes exception details.</summary>
    public string? RemoteStack { get; }

    /// <summary>The reply headers that came with the error.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; }

    /// <summary>The declared fault the handler sent (<see cref="MqRemoteFaultException.FaultType"/>), else null.</summary>
    public string? FaultType { get; }

    /// <summary>The fault's serialized detail; empty without a fault.</summary>
    public ReadOnlyMemory<byte> FaultDetail { get; }
}
