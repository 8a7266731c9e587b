using System.Buffers.Binary;
using Mq.Client;
using Mq.Errors;

namespace Mq.IntegrationTests.Rpc;

/// <summary>Streamed replies: parts in order with flow control, early break and failures ending the caller's enumeration.</summary>
public sealed class StreamTests : RpcTestBase
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly RequestOptions Patient = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationProbe _probe = new();

    [Fact]
    public async Task Parts_arrive_in_order_then_the_final_reply_then_the_enumeration_ends()
    {
        await using MqService service = await Server.ServeAsync("count", async (request, ct) =>
        {
            for (int i = 1; i <= 5; i++)
            {
                await request.SendPartAsync(Number(i), new Dictionary<string, string> { ["part"] = $"{i}" }, ct);
            }

            return Number(99);
        });

        List<MqReply> replies = await CollectAsync(Caller.RequestStreamAsync("count", default, Patient));

        Assert.Equal([1, 2, 3, 4, 5, 99], replies.Select(r => Read(r.Data)));
        Assert.Equal([false, false, false, false, false, true], replies.Select(r => r.IsFinal));
        Assert.Equal("3", replies[2].Headers!["part"]);
    }

    [Fact]
    public async Task A_slow_reader_of_ten_thousand_parts_holds_the_server_within_the_window()
    {
        const int parts = 10_000;
        const int window = 16;
        long sent = 0;
        await using MqService service = await Server.ServeAsync("many", async (request, ct) =>
        {
            for (int i = 0; i < parts; i++)
            {
                await request.SendPartAsync(Number(i), cancellationToken: ct);
                Interlocked.Increment(ref sent);
            }

            return default;
        });

        int read = 0;
        long furthestAhead = 0;
        await foreach (MqReply reply in Caller.RequestStreamAsync("many", default, Patient with { StreamWindow = window }).WithCancellation(new CancellationTokenSource(Bound).Token))
        {
            if (reply.IsFinal)
            {
                break;
            }

            Assert.Equal(read, Read(reply.Data));
            read++;
            // Credit comes back only for parts read, so the server can be at most one window ahead of the reader.
            long ahead = Interlocked.Read(ref sent) - read;
            furthestAhead = Math.Max(furthestAhead, ahead);
            Assert.True(ahead <= window, $"the server sent {ahead} parts beyond the {read} read, past its window of {window}");
            if (read % 1_000 == 0)
            {
                await Task.Yield();
            }
        }

        Assert.Equal(parts, read);
    }

    [Fact]
    public async Task Breaking_out_early_fires_the_servers_token()
    {
        await using MqService service = await Server.ServeAsync("endless", EndlessAsync);

        int read = 0;
        await foreach (MqReply reply in Caller.RequestStreamAsync("endless", default, Patient with { StreamWindow = 4 }))
        {
            if (++read == 3)
            {
                break;
            }
        }

        await _probe.Cancelled.WaitAsync(Bound);
    }

    [Fact]
    public async Task Cancelling_the_enumeration_fires_the_servers_token_and_the_caller_gets_cancellation()
    {
        await using MqService service = await Server.ServeAsync("endless", EndlessAsync);
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (MqReply reply in Caller.RequestStreamAsync("endless", default, Patient, cancel.Token))
            {
                await cancel.CancelAsync();
            }
        });

        await _probe.Cancelled.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_server_exception_mid_stream_ends_the_enumeration_with_a_remote_error()
    {
        await using MqService service = await Server.ServeAsync("breaks", async (request, ct) =>
        {
            await request.SendPartAsync(Number(1), cancellationToken: ct);
            await request.SendPartAsync(Number(2), cancellationToken: ct);
            throw new InvalidOperationException("the shelf collapsed");
        });

        var read = new List<int>();
        RemoteErrorException error = await Assert.ThrowsAsync<RemoteErrorException>(async () =>
        {
            await foreach (MqReply reply in Caller.RequestStreamAsync("breaks", default, Patient))
            {
                read.Add(Read(reply.Data));
            }
        });

        Assert.Equal([1, 2], read);
        Assert.Contains("the shelf collapsed", error.Message);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteType);
    }

    [Fact]
    public async Task A_server_lost_mid_stream_ends_the_enumeration_with_responder_lost()
    {
        await using MqService service = await Server.ServeAsync("endless", EndlessAsync);

        int read = 0;
        await Assert.ThrowsAsync<ResponderLostException>(async () =>
        {
            await foreach (MqReply reply in Caller.RequestStreamAsync("endless", default, Patient with { StreamWindow = 4 }))
            {
                if (++read == 2)
                {
                    Assert.Equal(1, await Broker.SeverAsync("server"));
                }
            }
        }).WaitAsync(Bound);

        // Its connection gone, the server's handler is stopped too: the broker already answered for it.
        await _probe.Cancelled.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_stream_whose_own_connection_drops_ends_with_not_connected()
    {
        await using MqService service = await Server.ServeAsync("endless", EndlessAsync);

        await Assert.ThrowsAsync<NotConnectedException>(async () =>
        {
            await foreach (MqReply reply in Caller.RequestStreamAsync("endless", default, Patient with { StreamWindow = 4 }))
            {
                await Broker.SeverAsync("caller");
            }
        }).WaitAsync(Bound);
    }

    [Fact]
    public async Task Parts_asked_of_a_plain_request_fail_the_handler_with_a_clear_remote_error()
    {
        await using MqService service = await Server.ServeAsync("count", async (request, ct) =>
        {
            await request.SendPartAsync(Number(1), cancellationToken: ct);
            return default;
        });

        RemoteErrorException error = await Assert.ThrowsAsync<RemoteErrorException>(async () => await Caller.RequestAsync("count", default, Patient));
        Assert.Contains("asked for one reply", error.Message);
    }

    private ValueTask<ReadOnlyMemory<byte>> EndlessAsync(MqRequest request, CancellationToken cancellationToken) =>
        _probe.ObserveAsync(async ct =>
        {
            for (int i = 0; ; i++)
            {
                await request.SendPartAsync(Number(i), cancellationToken: ct);
            }
        }, cancellationToken);

    private static async Task<List<MqReply>> CollectAsync(IAsyncEnumerable<MqReply> replies)
    {
        var all = new List<MqReply>();
        await foreach (MqReply reply in replies.WithCancellation(new CancellationTokenSource(Bound).Token))
        {
            all.Add(reply);
        }

        return all;
    }

    private static byte[] Number(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static int Read(ReadOnlyMemory<byte> data) => BinaryPrimitives.ReadInt32LittleEndian(data.Span);
}
