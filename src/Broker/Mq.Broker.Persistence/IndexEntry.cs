namespace Mq.Broker.Persistence;

/// <summary>Where one message's record sits in its segment file; kept in memory, rebuilt from the file on open.</summary>
internal readonly record struct IndexEntry(int Offset, int Length);
