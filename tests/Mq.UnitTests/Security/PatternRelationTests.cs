using Mq.Broker.Security;

namespace Mq.UnitTests.Security;

public sealed class PatternRelationTests
{
    [Theory]
    [InlineData(">", "a", true)]
    [InlineData(">", "a.*.>", true)]
    [InlineData("a.>", "a.b", true)]
    [InlineData("a.>", "a.*", true)]
    [InlineData("a.>", "a.>", true)]
    [InlineData("a.>", "a", false)]
    [InlineData("a.>", ">", false)]
    [InlineData("a.>", "*.b", false)]
    [InlineData("a.*", "a.b", true)]
    [InlineData("a.*", "a.*", true)]
    [InlineData("a.*", "a.>", false)]
    [InlineData("a.*", "a.b.c", false)]
    [InlineData("a.b", "a.b", true)]
    [InlineData("a.b", "a.*", false)]
    [InlineData("*.b", "a.b", true)]
    [InlineData("*.b", ">", false)]
    public void Covers_means_every_subject_of_the_inner_pattern_matches_the_outer(string outer, string inner, bool covers) =>
        Assert.Equal(covers, PatternRelation.Covers(outer, inner));

    [Theory]
    [InlineData("a.secret.>", ">", true)]
    [InlineData("a.secret.>", "a.*.x", true)]
    [InlineData("a.secret.>", "*.*", false)]
    [InlineData("a.secret.>", "*.secret", false)]
    [InlineData("a.secret.>", "a.public.>", false)]
    [InlineData("a.secret", "a.*", true)]
    [InlineData("a.secret", "*.*.*", false)]
    [InlineData("a.secret", "a.secret", true)]
    [InlineData("*.b", "a.*", true)]
    public void Overlaps_means_some_subject_matches_both(string a, string b, bool overlaps)
    {
        Assert.Equal(overlaps, PatternRelation.Overlaps(a, b));
        Assert.Equal(overlaps, PatternRelation.Overlaps(b, a));
    }
}
