using Mq.Broker.Security;

namespace Mq.UnitTests.Security;

/// <summary>The bookkeeping of failed proofs: backoff that doubles to a cap, forgotten after a quiet minute, fixed in size.</summary>
public sealed class FailureTableTests
{
    [Fact]
    public void A_dirty_key_has_a_burst_of_verifications_then_one_per_backoff()
    {
        var table = new FailureTable(capacity: 8);
        table.Fail("a", 0);
        FailureRecord record = table.Dirty("a", 0)!;

        // The failure that made the record was verified while clean: Burst in all, then the bucket is empty.
        for (int i = 1; i < FailureTable.Burst; i++)
        {
            Assert.True(record.HasToken(0));
            record.Take();
        }

        Assert.False(record.HasToken(0));
        Assert.Equal(250, record.MsToNextToken);
        Assert.False(record.HasToken(249));
        Assert.True(record.HasToken(250));
    }

    [Fact]
    public void The_backoff_doubles_with_each_failure_up_to_its_cap()
    {
        var table = new FailureTable(capacity: 8);
        long[] expected = [250, 500, 1000, 2000, 4000, 8000, 8000];
        foreach (long backoff in expected)
        {
            table.Fail("a", 0);
            Assert.Equal(backoff, table.Dirty("a", 0)!.BackoffMs);
        }
    }

    [Fact]
    public void A_key_quiet_for_a_minute_is_clean_again()
    {
        var table = new FailureTable(capacity: 8);
        table.Fail("a", 1_000);
        Assert.NotNull(table.Dirty("a", 1_000 + FailureTable.QuietMs - 1));
        Assert.Null(table.Dirty("a", 1_000 + FailureTable.QuietMs));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Past_its_capacity_the_key_with_the_oldest_failure_is_forgotten()
    {
        var table = new FailureTable(capacity: 3);
        table.Fail("a", 1);
        table.Fail("b", 2);
        table.Fail("c", 3);
        table.Fail("a", 4);
        table.Fail("d", 5);

        Assert.Equal(3, table.Count);
        Assert.Null(table.Dirty("b", 5));
        Assert.Equal(2, table.Dirty("a", 5)!.Failures);
    }
}
