using Mq.Subjects;

namespace Mq.UnitTests.Subjects;

public sealed class SubjectMatchTests
{
    [Theory]
    // Literal patterns match only the same subject.
    [InlineData("a", "a", true)]
    [InlineData("a.b.c", "a.b.c", true)]
    [InlineData("a.b.c", "a.b.d", false)]
    [InlineData("a.b", "a.bc", false)]
    [InlineData("ab", "a", false)]
    // Different lengths never match without a wildcard.
    [InlineData("a.b.c", "a.b", false)]
    [InlineData("a.b", "a.b.c", false)]
    // '*' is exactly one token, never zero or two.
    [InlineData("*", "a", true)]
    [InlineData("*", "a.b", false)]
    [InlineData("a.*", "a.bb", true)]
    [InlineData("a.*", "a", false)]
    [InlineData("a.*.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.c", false)]
    [InlineData("a.*.c", "a.b.b.c", false)]
    [InlineData("*.*", "a.b", true)]
    [InlineData("*.*", "a.b.c", false)]
    // '>' is one or more tokens at the end.
    [InlineData(">", "a", true)]
    [InlineData(">", "a.b.c", true)]
    [InlineData("a.>", "a.b", true)]
    [InlineData("a.>", "a.b.c.d", true)]
    [InlineData("a.>", "a", false)]
    [InlineData("a.>", "b.c", false)]
    [InlineData("a.b.>", "a.b", false)]
    [InlineData("*.>", "a", false)]
    [InlineData("*.>", "a.b", true)]
    [InlineData("*.>", "a.b.c", true)]
    // Mixed.
    [InlineData("*.b.>", "a.b.c", true)]
    [InlineData("*.b.>", "a.c.c", false)]
    [InlineData("*.b.>", "a.b", false)]
    [InlineData("a.*.>", "a.b.c.d", true)]
    [InlineData("a.*.>", "a.b", false)]
    [InlineData("*.eu.*", "orders.eu.created", true)]
    [InlineData("*.eu.*", "orders.us.created", false)]
    public void Patterns_match_as_documented(string pattern, string subject, bool matches) =>
        Assert.Equal(matches, Subject.Matches(pattern, subject));

    [Fact]
    public void A_literal_pattern_matches_exactly_the_equal_subject()
    {
        string[] subjects = ["a", "b", "a.b", "a.c", "b.a", "a.b.c", "aa", "a.bb"];
        foreach (string pattern in subjects)
        {
            foreach (string subject in subjects)
            {
                Assert.Equal(pattern == subject, Subject.Matches(pattern, subject));
            }
        }
    }
}
