namespace Mq.Subjects;

/// <summary>What a dotted name is used for, which decides whether wildcards are allowed.</summary>
public enum SubjectKind
{
    /// <summary>A subject to publish on: literal tokens only.</summary>
    Publish,
    /// <summary>A subscription pattern: <c>*</c> matches one token, a final <c>&gt;</c> matches one or more.</summary>
    Pattern,
    /// <summary>A service name for request/reply: literal tokens only.</summary>
    Service,
    /// <summary>A queue group name: literal tokens only.</summary>
    QueueGroup,
}
