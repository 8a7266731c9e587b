using System.Buffers.Binary;
using System.Globalization;
using Mq.Client;
using Mq.Errors;
using Mq.Rpc;
using Mq.RpcServer;
using Mq.Serialization;
using Mq.Testing;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// Remote objects across processes: two IWorkbench servers (tests/Mq.TestApps/Mq.RpcServer) and this process as
/// the caller. What the servers saw, they print; the tests read it.
/// </summary>
public sealed class RemoteObjectProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private TestBroker _broker = null!;
    private PeerProcess _one = null!;
    private PeerProcess _two = null!;
    private MqClient _caller = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _one = await _broker.StartPeerAsync(PeerStart.App("Mq.RpcServer"));
        _two = await _broker.StartPeerAsync(PeerStart.App("Mq.RpcServer"));
        _caller = await _broker.ConnectAsync("caller");
    }

    public async Task DisposeAsync()
    {
        await _caller.DisposeAsync();
        await _one.DisposeAsync();
        await _two.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Both_servers_take_calls_and_a_cancel_reaches_the_one_holding_the_call()
    {
        IWorkbench workbench = _caller.CreateProxy<IWorkbench>();
        var servers = new HashSet<int>();
        for (int i = 0; i < 20 && servers.Count < 2; i++)
        {
            servers.Add(await workbench.WhoAsync());
        }

        Assert.Equal([_one.Id, _two.Id], servers.Order());

        using var cancel = new CancellationTokenSource();
        Task<string> hold = workbench.HoldAsync("h-1", cancel.Token);
        PeerProcess holder = await Task.WhenAny(WaitForLine(_one, "holding h-1"), WaitForLine(_two, "holding h-1")).Unwrap();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hold.WaitAsync(TimeSpan.FromSeconds(5)));
        await holder.WaitForLineAsync("cancelled h-1", Wait);
    }

    [Fact]
    public async Task Scatter_gather_hears_both_servers_in_messagepack_and_in_json()
    {
        await using MqClient jsonCaller = await MqClient.ConnectAsync(_broker.ClientOptions("json-caller") with { Serializer = JsonMqSerializer.Default });
        var answers = new List<int>();
        var jsonAnswers = new List<int>();

        await foreach (MqGathered<int> answer in _caller.GatherAsync<IWorkbench, int>(w => w.WhoAsync(), new RequestManyOptions { MaxReplies = 2 }).WithCancellation(CancellationToken.None))
        {
            answers.Add(answer.Value);
        }

        await foreach (MqGathered<int> answer in jsonCaller.GatherAsync<IWorkbench, int>(w => w.WhoAsync(), new RequestManyOptions { MaxReplies = 2 }).WithCancellation(CancellationToken.None))
        {
            jsonAnswers.Add(answer.Value);
        }

        Assert.Equal([_one.Id, _two.Id], answers.Order());
        Assert.Equal([_one.Id, _two.Id], jsonAnswers.Order());
    }

    [Fact]
    public async Task Progress_reports_cross_the_process_boundary_in_order()
    {
        var reports = new Rpc.Reports<int>();

        int result = await _caller.CreateProxy<IWorkbench>().StepsAsync(20, reports, CancellationToken.None);

        Assert.Equal(20, result);
        Assert.Equal(Enumerable.Range(1, 20), reports.Values);
    }

    [Fact]
    public async Task A_stream_of_10000_items_read_slowly_keeps_the_server_within_the_caller_credit()
    {
        IWorkbench workbench = _caller.CreateProxy<IWorkbench>();
        int read = 0;
        int highestLead = 0;
        await foreach (byte[] item in workbench.ItemsAsync(10_000, 1024, CancellationToken.None))
        {
            Assert.Equal(read, BinaryPrimitives.ReadInt32LittleEndian(item));
            read++;
            if (read <= 500)
            {
                // Slowly at first: the server must wait for credit, not run ahead.
                await Task.Delay(1);
                highestLead = Math.Max(highestLead, Produced(_one, _two) - read);
            }
        }

        Assert.Equal(10_000, read);
        output.WriteLine($"highest lead of the server over the reader: {highestLead} items");
        // The window (64 parts) plus what is printed in hundreds and what is in flight as it is read.
        Assert.InRange(highestLead, -100, RequestOptions.Default.StreamWindow + 100);
    }

    [Fact]
    public async Task A_server_killed_mid_stream_ends_the_enumeration_with_responder_lost()
    {
        IWorkbench workbench = _caller.CreateProxy<IWorkbench>();
        int read = 0;

        await Assert.ThrowsAsync<ResponderLostException>(async () =>
        {
            await foreach (byte[] item in workbench.ItemsAsync(int.MaxValue, 16, CancellationToken.None))
            {
                if (++read == 50)
                {
                    // Whichever server streams has printed its first hundred by now or soon: kill that one.
                    PeerProcess streaming = await Task.WhenAny(WaitForLine(_one, "produced 100"), WaitForLine(_two, "produced 100")).Unwrap();
                    streaming.Kill();
                }
            }
        }).WaitAsync(Wait);
        Assert.True(read >= 50);
    }

    private static async Task<PeerProcess> WaitForLine(PeerProcess peer, string line)
    {
        await peer.WaitForLineAsync(line, Wait, onStandardError: false);
        return peer;
    }

    /// <summary>The most items either server says it produced so far (it prints every hundredth).</summary>
    private static int Produced(params PeerProcess[] servers) => servers
        .SelectMany(s => s.StandardOutput)
        .Where(l => l.StartsWith("produced ", StringComparison.Ordinal))
        .Select(l => int.Parse(l["produced ".Length..], CultureInfo.InvariantCulture))
        .DefaultIfEmpty(0)
        .Max();
}
