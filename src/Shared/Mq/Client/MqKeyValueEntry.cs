namespace Mq.Client;

/// <summary>One revision of a key: its value (empty for a delete or purge), its revision (the sequence the bucket's stream gave it) and when it was written.</summary>
public sealed record MqKeyValueEntry(string Bucket, string Key, ReadOnlyMemory<byte> Value, ulong Revision, DateTimeOffset Created, MqKeyValueOperation Operation);
