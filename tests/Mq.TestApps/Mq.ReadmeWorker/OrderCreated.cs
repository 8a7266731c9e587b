using MessagePack;

// String keys: the payload is a MessagePack map, {"id":42} as JSON, which the CLI and other languages can write.
[MessagePackObject]
public sealed class OrderCreated { [Key("id")] public int Id { get; set; } }
