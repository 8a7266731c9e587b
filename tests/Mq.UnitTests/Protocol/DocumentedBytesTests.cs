using MessagePack;
using Mq.Protocol;

namespace Mq.UnitTests.Protocol;

/// <summary>The byte examples in docs/protocol.md, section 11, are what the codec writes.</summary>
public sealed class DocumentedBytesTests
{
    private static readonly byte[] AbcPayload = [0xa3, 0x61, 0x62, 0x63];

    [Fact]
    public void Connected() =>
        AssertBytes("93 01 91 01 a9 6d 71 2d 62 72 6f 6b 65 72", (ref MessagePackWriter w) => CommandWriter.WriteConnected(ref w, [1], "mq-broker"));

    [Fact]
    public void Hello() =>
        AssertBytes("94 02 01 a3 61 70 70 c0", (ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, 1, "app", null));

    [Fact]
    public void Pub() =>
        AssertBytes("94 0a a9 6f 72 64 65 72 73 2e 65 75 c0 c4 04 a3 61 62 63", (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "orders.eu", null, AbcPayload));

    [Fact]
    public void Sub() =>
        AssertBytes("95 0b 01 01 a8 6f 72 64 65 72 73 2e 3e c0", (ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "orders.>", null));

    [Fact]
    public void Flow_controlled_sub() =>
        AssertBytes("96 0b 02 02 a8 6f 72 64 65 72 73 2e 3e c0 64", (ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 2, 2, "orders.>", null, 100));

    [Fact]
    public void Ack() =>
        AssertBytes("93 10 02 19", (ref MessagePackWriter w) => CommandWriter.WriteAck(ref w, 2, 25));

    [Fact]
    public void Credit() =>
        AssertBytes("92 0f ce 00 20 00 00", (ref MessagePackWriter w) => CommandWriter.WriteCredit(ref w, 2097152));

    [Fact]
    public void Ok() =>
        AssertBytes("92 06 01", (ref MessagePackWriter w) => CommandWriter.WriteOk(ref w, 1));

    [Fact]
    public void Ok_with_the_window_in_force() =>
        AssertBytes("93 06 02 64", (ref MessagePackWriter w) => CommandWriter.WriteOk(ref w, 2, 100));

    [Fact]
    public void Msg() =>
        AssertBytes("96 0d 01 01 a9 6f 72 64 65 72 73 2e 65 75 c0 c4 04 a3 61 62 63", (ref MessagePackWriter w) => CommandWriter.WriteMsg(ref w, 1, 1, "orders.eu"u8, default, AbcPayload));

    [Fact]
    public void Streamed_req() =>
        AssertBytes("97 16 05 a5 63 6f 75 6e 74 00 c0 c4 00 04", (ref MessagePackWriter w) => CommandWriter.WriteReq(ref w, 5, "count", 0, null, [], 4));

    [Fact]
    public void Rep_part() =>
        AssertBytes("94 1c 51 c0 c4 01 01", (ref MessagePackWriter w) => CommandWriter.WriteRepPart(ref w, 81, null, [1]));

    [Fact]
    public void Grant() =>
        AssertBytes("93 1e 05 04", (ref MessagePackWriter w) => CommandWriter.WriteGrant(ref w, 5, 4));

    [Fact]
    public void Cancel() =>
        AssertBytes("92 1a 05", (ref MessagePackWriter w) => CommandWriter.WriteCancel(ref w, 5));

    [Fact]
    public void Req_all() =>
        AssertBytes("97 20 06 a6 63 65 6e 73 75 73 cd 03 e8 c0 c4 00 01", (ref MessagePackWriter w) => CommandWriter.WriteReqAll(ref w, 6, "census", 1000, null, [], 1));

    private static void AssertBytes(string documented, Frames.Write write) => Assert.Equal(documented, Frames.Hex(Frames.Build(write)));
}
