using Mq.Client;
using Mq.Errors;
using Mq.Rpc;
using Mq.Serialization;

namespace Mq.IntegrationTests.Rpc;

/// <summary>Progress, streams, faults and cancellation of remote objects, end to end through the broker.</summary>
public sealed class StreamingObjectTests : RpcTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Progress_reports_arrive_in_order_before_the_result()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(new Warehouse());
        var reports = new Reports<int>();

        int result = await Caller.CreateProxy<IWarehouse>().BuildAsync(5, reports, CancellationToken.None);

        Assert.Equal(5, result);
        Assert.Equal([1, 2, 3, 4, 5], reports.Values);
    }

    [Fact]
    public async Task A_call_without_a_progress_or_as_a_plain_request_still_gets_its_result()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(new Warehouse());

        Assert.Equal(3, await Caller.CreateProxy<IWarehouse>().BuildAsync(3, null!, CancellationToken.None));
        MqReply plain = await Caller.RequestAsync("test.warehouse.Build", MqSerializer.FromJson("[4]"));
        Assert.Equal(4, plain.Deserialize<int>());
    }

    [Fact]
    public async Task A_stream_yields_every_item_in_order()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(new Warehouse());
        var rows = new List<int>();

        await foreach (int row in Caller.CreateProxy<IWarehouse>().RowsAsync(1000))
        {
            rows.Add(row);
        }

        Assert.Equal(Enumerable.Range(0, 1000), rows);
    }

    [Fact]
    public async Task Breaking_out_of_a_stream_ends_the_server_enumeration()
    {
        var warehouse = new Warehouse();
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(warehouse);
        int read = 0;

        await foreach (int row in Caller.CreateProxy<IWarehouse>().RowsAsync(int.MaxValue))
        {
            if (++read == 10)
            {
                break;
            }
        }

        // Without the cancel the server would produce for ever; it stops once the caller breaks out, within its credit.
        int produced = await warehouse.RowsEnded.Task.WaitAsync(Wait);
        Assert.InRange(produced, 10, 10 + RequestOptions.Default.StreamWindow + 1);
    }

    [Fact]
    public async Task A_server_exception_mid_stream_ends_the_caller_enumeration_with_a_remote_error()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(new Warehouse());
        var rows = new List<int>();

        RemoteErrorException error = await Assert.ThrowsAsync<RemoteErrorException>(async () =>
        {
            await foreach (int row in Caller.CreateProxy<IWarehouse>().FailingRowsAsync(5))
            {
                rows.Add(row);
            }
        });

        Assert.Equal([0, 1, 2, 3, 4], rows);
        Assert.Contains("the shelf broke after 5 rows", error.Message);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteType);
    }

    [Fact]
    public async Task A_plain_request_to_a_streaming_method_is_told_to_stream()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(new Warehouse());

        RemoteErrorException error = await Assert.ThrowsAsync<RemoteErrorException>(async () =>
            await Caller.RequestAsync("test.warehouse.Rows", MqSerializer.FromJson("[3]")));

        Assert.Contains("'test.warehouse.Rows' streams its result", error.Message);
    }

    [Fact]
    public async Task A_declared_fault_is_thrown_typed_with_its_detail_and_an_undeclared_one_as_a_remote_error()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(new Warehouse());
        IWarehouse warehouse = Caller.CreateProxy<IWarehouse>();

        MqFaultException<OutOfStock> fault = await Assert.ThrowsAsync<MqFaultException<OutOfStock>>(async () => await warehouse.TakeAsync("sku-1", 5));
        RemoteErrorException undeclared = await Assert.ThrowsAsync<RemoteErrorException>(async () => await warehouse.TakeUndeclaredAsync("sku-2"));

        Assert.Equal(new OutOfStock("sku-1", 2), fault.Detail);
        Assert.Contains("only 2 of sku-1 left", fault.Message);
        Assert.Equal(typeof(OutOfStock).FullName, fault.FaultType);
        Assert.Equal(2, await warehouse.TakeAsync("sku-1", 2));
        Assert.Equal(typeof(OutOfStock).FullName, undeclared.FaultType);
        Assert.Contains("no sku-2 left", undeclared.Message);
    }

    [Fact]
    public async Task Cancelling_the_caller_token_fires_the_server_token()
    {
        var warehouse = new Warehouse();
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(warehouse);
        using var cancel = new CancellationTokenSource();

        Task hold = Caller.CreateProxy<IWarehouse>().HoldAsync(cancel.Token);
        await warehouse.Holding.Task.WaitAsync(Wait);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hold.WaitAsync(Wait));
        await warehouse.HoldCancelled.Task.WaitAsync(Wait);
    }
}
