namespace Mq.Broker.Persistence;

internal delegate void RecordVisitor(ReadOnlySpan<byte> record, in RecordHeader header, int offset);
