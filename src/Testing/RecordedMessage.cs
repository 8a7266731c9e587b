namespace Mq.Testing;

/// <summary>One message a <see cref="MessageRecorder{T}"/> received: its subject, decoded payload and headers.</summary>
public sealed record RecordedMessage<T>(string Subject, T Payload, IReadOnlyDictionary<string, string>? Headers);
