using Mq.Broker.Persistence;
using Mq.Broker.Streams;

namespace Mq.UnitTests.Persistence;

public sealed class LastValueIndexTests
{
    [Fact]
    public void A_depth_of_one_keeps_only_the_newest_per_subject()
    {
        var index = new LastValueIndex(1);
        Assert.Null(index.Add("a", 1));
        Assert.Null(index.Add("b", 2));
        Assert.Equal(1UL, index.Add("a", 3));

        Assert.False(index.IsKept("a", 1));
        Assert.True(index.IsLatest("a", 3));
        Assert.Equal([("b", 2UL), ("a", 3UL)], index.Current(_ => true));
        Assert.Equal(2, index.Subjects);
    }

    [Fact]
    public void A_deeper_index_keeps_history_and_ignores_a_sequence_seen_twice()
    {
        var index = new LastValueIndex(2);
        index.AddAll([Message(1, "k"), Message(2, "k"), Message(3, "k")]);
        Assert.Null(index.Add("k", 3));

        Assert.Equal([2UL, 3UL], index.History("k"));
        Assert.True(index.IsKept("k", 2));
        Assert.False(index.IsLatest("k", 2));
        Assert.Equal(3UL, index.Latest("k"));
        index.Clear();
        Assert.Null(index.Latest("k"));
    }

    [Fact]
    public void A_rollup_leaves_only_itself_kept_and_is_ignored_when_seen_twice()
    {
        var index = new LastValueIndex(3);
        index.AddAll([Message(1, "k"), Message(2, "k"), Message(3, "other")]);
        index.Rollup("k", 4);
        index.Rollup("k", 4);
        index.Add("k", 5);

        Assert.Equal([4UL, 5UL], index.History("k"));
        Assert.False(index.IsKept("k", 2));
        Assert.Equal([3UL], index.History("other"));
    }

    [Fact]
    public void Max_per_subject_is_validated()
    {
        Assert.Contains(new BrokerStreamOptions { Subjects = ["a.>"], MaxPerSubject = 0 }.Problems("s"), p => p.Contains("MaxPerSubject", StringComparison.Ordinal));
        Assert.Empty(new BrokerStreamOptions { Subjects = ["a.>"], MaxPerSubject = 1 }.Problems("s"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LastValueIndex(0));
    }

    private static StoredMessage Message(ulong sequence, string subject) => new(sequence, 0, subject, default, default);
}
