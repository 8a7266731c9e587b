using MessagePack;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;

namespace Mq.IntegrationTests.Rpc;

/// <summary>A raw peer abusing CANCEL, REPPART, GRANT and REQALL gets one clear ERROR each, and everyone else is served on.</summary>
public sealed class HostileRpcTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private TestBroker _broker = null!;
    private MqClient _requester = null!;
    private RawPeer _raw = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _requester = await _broker.ConnectAsync("requester");
        _raw = new RawPeer(_broker.Endpoint);
        _raw.Handshake("hostile");
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _requester.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_server_sending_past_its_credit_is_refused_and_the_caller_learns_the_stream_broke()
    {
        _raw.Send((ref MessagePackWriter w) => CommandWriter.WriteServe(ref w, 1, "numbers"));
        _raw.Expect(CommandCode.Ok);
        var read = new List<byte>();
        Task<RemoteErrorException> call = Assert.ThrowsAsync<RemoteErrorException>(async () =>
        {
            await foreach (MqReply part in _requester.RequestStreamAsync("numbers", default, new RequestOptions { StreamWindow = 2, Timeout = Bound }))
            {
                read.Add(part.Data.Span[0]);
            }
        });

        CommandReader request = _raw.Expect(CommandCode.Request).Reader();
        ulong bid = request.ReadUInt();
        for (byte i = 1; i <= 3; i++)
        {
            byte[] part = [i];
            _raw.Send((ref MessagePackWriter w) => CommandWriter.WriteRepPart(ref w, bid, null, part));
        }

        Assert.Equal((bid, ErrorCode.LimitExceeded, CommandCode.RepPart), ReadError(_raw.Expect(CommandCode.Error)));
        RemoteErrorException error = await call.WaitAsync(Bound);
        Assert.Equal([1, 2], read);
        Assert.Contains("more parts than the requester granted", error.Message);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Commands_naming_requests_the_peer_does_not_have_get_one_error_each()
    {
        _raw.Send((ref MessagePackWriter w) => CommandWriter.WriteRepPart(ref w, 4242, null, [1]));
        Assert.Equal((4242UL, ErrorCode.UnknownRequest, CommandCode.RepPart), ReadError(_raw.Expect(CommandCode.Error)));

        _raw.Send((ref MessagePackWriter w) => CommandWriter.WriteGrant(ref w, 7, uint.MaxValue));
        Assert.Equal((7UL, ErrorCode.UnknownRequest, CommandCode.Grant), ReadError(_raw.Expect(CommandCode.Error)));

        _raw.Send((ref MessagePackWriter w) => CommandWriter.WriteCancel(ref w, 8));
        Assert.Equal((8UL, ErrorCode.UnknownRequest, CommandCode.Cancel), ReadError(_raw.Expect(CommandCode.Error)));

        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Cancelling_another_peers_request_by_guessing_its_rid_touches_nothing()
    {
        var release = new TaskCompletionSource();
        await using MqClient server = await _broker.ConnectAsync("server");
        await using MqService slow = await server.ServeAsync("slow", async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return new byte[] { 9 };
        });
        Task<MqReply> call = _requester.RequestAsync("slow", default, new RequestOptions { Timeout = Bound }).AsTask();

        // The requester's first rid is 1; a rid names a request of the sender's own session only.
        _raw.Send((ref MessagePackWriter w) => CommandWriter.WriteCancel(ref w, 1));
        Assert.Equal(ErrorCode.UnknownRequest, ReadError(_raw.Expect(CommandCode.Error)).Code);
        release.SetResult();

        Assert.Equal([9], (await call.WaitAsync(Bound)).Data.ToArray());
    }

    [Fact]
    public async Task A_truncated_scatter_gather_is_malformed_and_a_valid_one_is_answered()
    {
        _raw.SendRaw([0x93, (byte)CommandCode.ReqAll, 0x01, 0xa4, .. "echo"u8]);
        Assert.Equal(ErrorCode.Malformed, ReadError(_raw.Expect(CommandCode.Error)).Code);

        await using MqService echo = await _requester.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        _raw.Send((ref MessagePackWriter w) => CommandWriter.WriteReqAll(ref w, 3, "echo", 5_000, null, [4], 0));
        Assert.Equal(CommandCode.Gathered, _raw.Expect(CommandCode.Gathered).Code);
        CommandReader end = _raw.Expect(CommandCode.Reply).Reader();
        Assert.Equal((3UL, (ulong)ErrorCode.None), (end.ReadUInt(), end.ReadUInt()));
    }

    private static (ulong Ref, ErrorCode Code, CommandCode Command) ReadError(ReceivedCommand error)
    {
        CommandReader reader = error.Reader();
        ulong reference = reader.ReadUInt();
        var code = (ErrorCode)reader.ReadUInt();
        reader.ReadString(ProtocolLimits.MaxHeaderBytes);
        return (reference, code, (CommandCode)reader.ReadUInt());
    }

    private async Task AssertStillServesAsync()
    {
        await using MqClient server = await _broker.ConnectAsync("well-behaved");
        await using MqService echo = await server.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        Assert.Equal([1, 2, 3], (await _requester.RequestAsync("echo", new byte[] { 1, 2, 3 })).Data.ToArray());
    }
}
