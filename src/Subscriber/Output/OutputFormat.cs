namespace Mq.Subscriber.Output;

internal enum OutputFormat
{
    /// <summary><c>[subject] payload-as-JSON</c>, headers after it when any.</summary>
    Text,
    /// <summary>One JSON object per line: topic, seq, payload, headers.</summary>
    Json,
}
