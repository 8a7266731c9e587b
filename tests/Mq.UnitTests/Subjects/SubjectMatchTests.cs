using Mq.Subjects;

namespace Mq.UnitTests.Subjects;

public sealed class SubjectMatchTests
{
    [Theory]
    [InlineData("a.b.c", "a.b.c", true)]
    [InlineData("a.b.c", "a.b", false)]
    [InlineData("a.b", "a.b.c", false)]
    [InlineData("a.*.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.c", false)]
    [InlineData("a.*.c", "a.b.b.c", false)]
    [InlineData("*", "a", true)]
    [InlineData("*", "a.b", false)]
    [InlineData("a.>", "a.b", true)]
    [InlineData("a.>", "a.b.c.d", true)]
    [InlineData("a.>", "a", false)]
    [InlineData(">", "a", true)]
    [InlineData(">", "a.b.c", true)]
    [InlineData("*.>", "a", false)]
    [InlineData("*.>", "a.b", true)]
    [InlineData("*.b.>", "a.b.c", true)]
    [InlineData("*.b.>", "a.c.c", false)]
    [InlineData("a.*", "a.bb", true)]
    [InlineData("ab", "a", false)]
    public void Patterns_match_as_documented(string pattern, string subject, bool matches) =>
        Assert.Equal(matches, Subject.Matches(pattern, subject));
}
