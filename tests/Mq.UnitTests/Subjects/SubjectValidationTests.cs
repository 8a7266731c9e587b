using System.Text;
using Mq.Errors;
using Mq.Subjects;

namespace Mq.UnitTests.Subjects;

public sealed class SubjectValidationTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("orders.eu.created")]
    [InlineData("a.b-c_d.e:f")]
    [InlineData("ünïcødé.主题")]
    public void Literal_subjects_are_valid_everywhere(string subject)
    {
        foreach (SubjectKind kind in Enum.GetValues<SubjectKind>())
        {
            Assert.Null(Subject.Validate(subject, kind));
        }
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".a", "empty token")]
    [InlineData("a.", "empty token")]
    [InlineData("a..b", "empty token")]
    [InlineData("a b", "whitespace")]
    [InlineData("a\tb", "whitespace")]
    [InlineData("a\nb", "whitespace")]
    [InlineData("a\u00a0b", "whitespace")]
    [InlineData("a\u0001b", "control")]
    [InlineData("a.*", "wildcard")]
    [InlineData("a.>", "wildcard")]
    [InlineData("a*", "wildcard")]
    public void Invalid_publish_subjects_say_what_is_wrong(string subject, string reason)
    {
        string? error = Subject.Validate(subject, SubjectKind.Publish);
        Assert.NotNull(error);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("*")]
    [InlineData(">")]
    [InlineData("a.*.c")]
    [InlineData("a.>")]
    [InlineData("*.*.>")]
    public void Wildcards_as_whole_tokens_are_valid_patterns(string pattern) =>
        Assert.Null(Subject.Validate(pattern, SubjectKind.Pattern));

    [Theory]
    [InlineData("a.>.c", "'>' before its last token")]
    [InlineData(">.a", "'>' before its last token")]
    [InlineData("a.b*", "inside a token")]
    [InlineData("a.>b", "inside a token")]
    [InlineData("a..*", "empty token")]
    public void Misplaced_wildcards_are_invalid_patterns(string pattern, string reason) =>
        Assert.Contains(reason, Subject.Validate(pattern, SubjectKind.Pattern));

    [Theory]
    [InlineData(SubjectKind.Service)]
    [InlineData(SubjectKind.QueueGroup)]
    public void Service_and_group_names_take_no_wildcards(SubjectKind kind)
    {
        Assert.NotNull(Subject.Validate("a.*", kind));
        Assert.NotNull(Subject.Validate(">", kind));
    }

    [Fact]
    public void The_length_limit_counts_utf8_bytes()
    {
        Assert.Null(Subject.Validate(new string('a', 256), SubjectKind.Publish));
        Assert.Contains("longer than 256", Subject.Validate(new string('a', 257), SubjectKind.Publish));
        Assert.Contains("longer than 256", Subject.Validate(new string('é', 129), SubjectKind.Publish)); // 258 bytes
        Assert.Contains("longer than 128", Subject.Validate(new string('g', 129), SubjectKind.QueueGroup));
    }

    [Fact]
    public void Bytes_off_the_wire_must_be_valid_utf8()
    {
        Assert.Null(Subject.Validate("a.b"u8, SubjectKind.Publish));
        Assert.Contains("not valid UTF-8", Subject.Validate([0x61, 0xff, 0x62], SubjectKind.Publish));
        Assert.Contains("empty token", Subject.Validate(Encoding.UTF8.GetBytes("a..b"), SubjectKind.Publish));
    }

    [Fact]
    public void Ensure_throws_an_invalid_subject_error_naming_the_subject()
    {
        InvalidSubjectException error = Assert.Throws<InvalidSubjectException>(() => Subject.Ensure("bad..one", SubjectKind.Publish));
        Assert.Contains("'bad..one'", error.Message);
        Assert.Equal(Mq.Protocol.ErrorCode.InvalidSubject, error.Code);
    }

    [Fact]
    public void Control_characters_are_shown_escaped_in_errors() =>
        Assert.Contains("\\u0001", Subject.Validate("a\u0001", SubjectKind.Publish));
}
