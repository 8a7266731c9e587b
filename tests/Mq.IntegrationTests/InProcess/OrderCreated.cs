using MessagePack;

namespace Mq.IntegrationTests.InProcess;

[MessagePackObject]
public sealed class OrderCreated
{
    [Key(0)]
    public int Id { get; set; }

    [Key(1)]
    public string Customer { get; set; } = "";

    [Key(2)]
    public List<string> Lines { get; set; } = [];
}
