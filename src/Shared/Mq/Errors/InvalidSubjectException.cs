using Mq.Protocol;

namespace Mq.Errors;

/// <summary>A subject, pattern, service or queue group name breaks the naming rules.</summary>
public sealed class InvalidSubjectException : MqException
{
    public InvalidSubjectException(string message) : base(ErrorCode.InvalidSubject, message) { }

    public InvalidSubjectException() : base(ErrorCode.InvalidSubject, "InvalidSubject") { }

    public InvalidSubjectException(string message, Exception innerException) : base(ErrorCode.InvalidSubject, message, innerException) { }
}
