using Mq.Client;
using Mq.Errors;

namespace Mq.IntegrationTests.Rpc;

/// <summary>A handler's exception reaches the caller with its type (and its stack only when the server opts in), and a typed fault with its detail.</summary>
public sealed class RemoteErrorTests : RpcTestBase
{
    [Fact]
    public async Task A_handlers_exception_arrives_with_its_message_and_full_type_name_but_no_stack()
    {
        await using MqService service = await Server.ServeAsync("fails", (_, _) => throw new ArgumentOutOfRangeException("sku", "no such sku"));

        RemoteErrorException error = await Assert.ThrowsAsync<RemoteErrorException>(async () => await Caller.RequestAsync("fails", default));

        Assert.Contains("no such sku", error.Message);
        Assert.Equal("System.ArgumentOutOfRangeException", error.RemoteType);
        Assert.Null(error.RemoteStack);
        Assert.Null(error.FaultType);
        Assert.Equal("System.ArgumentOutOfRangeException", error.Headers![RemoteErrorException.TypeHeader]);
    }

    [Fact]
    public async Task The_stack_travels_only_when_the_server_includes_exception_details()
    {
        await using MqService service = await Server.ServeAsync("fails", (_, _) => throw new InvalidOperationException("closed"), new ServeOptions { IncludeExceptionDetails = true });

        RemoteErrorException error = await Assert.ThrowsAsync<RemoteErrorException>(async () => await Caller.RequestAsync("fails", default));

        Assert.Contains(nameof(RemoteErrorTests), error.RemoteStack);
    }

    [Fact]
    public async Task A_typed_fault_arrives_with_its_type_and_detail()
    {
        byte[] detail = [0x81, 0xa3, 0x73, 0x6b, 0x75, 0x07];
        await using MqService service = await Server.ServeAsync("fails", (_, _) => throw new MqRemoteFaultException("inventory.OutOfStock", detail, "sku 7 is out of stock"));

        RemoteErrorException error = await Assert.ThrowsAsync<RemoteErrorException>(async () => await Caller.RequestAsync("fails", default));

        Assert.Contains("sku 7 is out of stock", error.Message);
        Assert.Equal("inventory.OutOfStock", error.FaultType);
        Assert.Equal(detail, error.FaultDetail.ToArray());
        Assert.Equal(typeof(MqRemoteFaultException).FullName, error.RemoteType);
    }
}
