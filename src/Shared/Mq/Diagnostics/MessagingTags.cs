namespace Mq.Diagnostics;

/// <summary>Attribute names and values from OpenTelemetry's messaging semantic conventions, and Mq's own.</summary>
internal static class MessagingTags
{
    public const string System = "messaging.system";
    public const string OperationType = "messaging.operation.type";
    public const string OperationName = "messaging.operation.name";
    public const string DestinationName = "messaging.destination.name";
    public const string DestinationTemplate = "messaging.destination.template";
    public const string ConsumerGroup = "messaging.consumer.group.name";
    public const string BodySize = "messaging.message.body.size";
    public const string ErrorType = "error.type";

    /// <summary>Whose buffer lost the messages: <c>client</c> (the subscription's own) or <c>broker</c> (a sequence gap or DROPPED).</summary>
    public const string DropOrigin = "mq.drop.origin";

    public const string ConnectionState = "mq.connection.state";

    /// <summary>The value of <see cref="System"/>: not one of the conventions' well-known systems, so Mq's own name.</summary>
    public const string SystemName = "mq";

    public const string Publish = "publish";
    public const string Send = "send";
    public const string Process = "process";
    public const string Receive = "receive";
}
