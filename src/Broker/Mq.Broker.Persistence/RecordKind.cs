namespace Mq.Broker.Persistence;

/// <summary>What a record in a segment or positions file holds; the byte is part of the on-disk format.</summary>
internal enum RecordKind : byte
{
    Message = 1,

    /// <summary>The stream's first sequence moved up (limits or purge) to the record's sequence.</summary>
    Floor = 2,

    PositionSet = 3,

    PositionDelete = 4,
}
