using Mq.Rpc;

namespace Mq.IntegrationTests.Rpc;

/// <summary>The contract of the streaming, progress, fault and cancellation tests.</summary>
[MqContract("test.warehouse")]
public interface IWarehouse
{
    /// <summary>Reports 1 to <paramref name="steps"/>, then returns <paramref name="steps"/>.</summary>
    Task<int> BuildAsync(int steps, IProgress<int> progress, CancellationToken cancellationToken);

    /// <summary>0 to <paramref name="count"/> - 1.</summary>
    IAsyncEnumerable<int> RowsAsync(int count, CancellationToken cancellationToken = default);

    /// <summary><paramref name="before"/> rows, then an exception.</summary>
    IAsyncEnumerable<int> FailingRowsAsync(int before);

    /// <summary>Throws the declared fault when <paramref name="quantity"/> is over what is in stock (2).</summary>
    [MqFault(typeof(OutOfStock))]
    ValueTask<int> TakeAsync(string sku, int quantity);

    /// <summary>Throws the same fault without declaring it.</summary>
    ValueTask<int> TakeUndeclaredAsync(string sku);

    /// <summary>Waits for its token.</summary>
    Task HoldAsync(CancellationToken cancellationToken);
}
