using System.Text;
using Mq.Errors;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.UnitTests.Subjects;

public sealed class SubjectValidationTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("orders.eu.created")]
    [InlineData("a.b-c_d.e:f")]
    [InlineData("ünïcødé.主题")]
    [InlineData("emoji.😀")]
    [InlineData("1.2.3")]
    public void Literal_names_are_valid_for_every_kind_as_text_and_as_utf8(string subject)
    {
        foreach (SubjectKind kind in Enum.GetValues<SubjectKind>())
        {
            Assert.Null(Subject.Validate(subject, kind));
            Assert.Null(Subject.Validate(Encoding.UTF8.GetBytes(subject), kind));
        }
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData(".a", "empty token")]
    [InlineData("a.", "empty token")]
    [InlineData(".", "empty token")]
    [InlineData("a..b", "empty token")]
    [InlineData("a b", "whitespace")]
    [InlineData(" a", "whitespace")]
    [InlineData("a\tb", "whitespace")]
    [InlineData("a\nb", "whitespace")]
    [InlineData("a\r", "whitespace")]
    [InlineData("a\u00a0b", "whitespace")]
    [InlineData("a\u2003b", "whitespace")]
    [InlineData("a\u3000b", "whitespace")]
    [InlineData("a\u2028b", "whitespace")]
    [InlineData("a\u0000b", "control")]
    [InlineData("a\u0001b", "control")]
    [InlineData("a\u007fb", "control")]
    [InlineData("a\u009fb", "control")]
    public void Empty_names_empty_tokens_whitespace_and_control_characters_are_invalid_for_every_kind(string subject, string reason)
    {
        foreach (SubjectKind kind in Enum.GetValues<SubjectKind>())
        {
            Assert.Contains(reason, Subject.Validate(subject, kind));
            Assert.Contains(reason, Subject.Validate(Encoding.UTF8.GetBytes(subject), kind));
        }
    }

    [Theory]
    [InlineData("*")]
    [InlineData(">")]
    [InlineData("a.*")]
    [InlineData("a.>")]
    [InlineData("a*")]
    [InlineData("a.b>")]
    [InlineData("a.*.c")]
    public void Publish_subjects_service_names_and_queue_groups_take_no_wildcards(string name)
    {
        foreach (SubjectKind kind in new[] { SubjectKind.Publish, SubjectKind.Service, SubjectKind.QueueGroup })
        {
            Assert.Contains("wildcard", Subject.Validate(name, kind));
            Assert.Contains("wildcard", Subject.Validate(Encoding.UTF8.GetBytes(name), kind));
        }
    }

    [Theory]
    [InlineData("*")]
    [InlineData(">")]
    [InlineData("a.*.c")]
    [InlineData("a.>")]
    [InlineData("*.*.>")]
    [InlineData("*.b")]
    public void Wildcards_as_whole_tokens_are_valid_patterns(string pattern)
    {
        Assert.Null(Subject.Validate(pattern, SubjectKind.Pattern));
        Assert.Null(Subject.Validate(Encoding.UTF8.GetBytes(pattern), SubjectKind.Pattern));
    }

    [Theory]
    [InlineData("a.>.c", "'>' before its last token")]
    [InlineData(">.a", "'>' before its last token")]
    [InlineData(">.>", "'>' before its last token")]
    [InlineData("a*", "inside a token")]
    [InlineData("a.b*", "inside a token")]
    [InlineData("a.b>", "inside a token")]
    [InlineData("a.>b", "inside a token")]
    [InlineData("**", "inside a token")]
    [InlineData("a.*x.c", "inside a token")]
    [InlineData("a..*", "empty token")]
    [InlineData("a.>.", "'>' before its last token")]
    public void Misplaced_wildcards_are_invalid_patterns(string pattern, string reason)
    {
        Assert.Contains(reason, Subject.Validate(pattern, SubjectKind.Pattern));
        Assert.Contains(reason, Subject.Validate(Encoding.UTF8.GetBytes(pattern), SubjectKind.Pattern));
    }

    [Fact]
    public void Names_of_up_to_256_utf8_bytes_are_valid_and_longer_ones_are_not()
    {
        string twoByteChars = new('é', 128); // 256 bytes in 128 chars
        foreach (string ok in new[] { new string('a', 256), twoByteChars, string.Join('.', Enumerable.Repeat("ab", 85)) + ".c" })
        {
            Assert.Equal(256, Encoding.UTF8.GetByteCount(ok));
            Assert.Null(Subject.Validate(ok, SubjectKind.Publish));
            Assert.Null(Subject.Validate(Encoding.UTF8.GetBytes(ok), SubjectKind.Pattern));
        }

        foreach (string tooLong in new[] { new string('a', 257), twoByteChars + "a", new string('€', 86) })
        {
            Assert.Contains("longer than 256 bytes", Subject.Validate(tooLong, SubjectKind.Publish));
            Assert.Contains("longer than 256 bytes", Subject.Validate(Encoding.UTF8.GetBytes(tooLong), SubjectKind.Service));
        }
    }

    [Fact]
    public void Queue_group_names_are_limited_to_128_bytes()
    {
        Assert.Null(Subject.Validate(new string('g', 128), SubjectKind.QueueGroup));
        Assert.Contains("longer than 128", Subject.Validate(new string('g', 129), SubjectKind.QueueGroup));
        Assert.Contains("longer than 128", Subject.Validate(Encoding.UTF8.GetBytes(new string('g', 129)), SubjectKind.QueueGroup));
        Assert.Null(Subject.Validate(new string('g', 129), SubjectKind.Service));
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0xff, 0x62 })]
    [InlineData(new byte[] { 0x61, 0x80 })]
    [InlineData(new byte[] { 0x61, 0xc3 })]
    [InlineData(new byte[] { 0xc0, 0xaf })]
    [InlineData(new byte[] { 0xed, 0xa0, 0x80 })]
    [InlineData(new byte[] { 0xf4, 0x90, 0x80, 0x80 })]
    public void Bytes_that_are_not_utf8_are_invalid(byte[] utf8)
    {
        foreach (SubjectKind kind in Enum.GetValues<SubjectKind>())
        {
            Assert.Contains("not valid UTF-8", Subject.Validate(utf8, kind));
        }
    }

    [Fact]
    public void A_lone_surrogate_is_invalid_as_it_cannot_be_sent_as_utf8()
    {
        Assert.NotNull(Subject.Validate("a.\ud800", SubjectKind.Publish));
        Assert.Throws<InvalidSubjectException>(() => Subject.Ensure("a.\udc00", SubjectKind.Publish));
    }

    [Theory]
    [InlineData("bad..one", SubjectKind.Publish, "subject 'bad..one' has an empty token")]
    [InlineData("a.*", SubjectKind.Service, "service name 'a.*' contains a wildcard")]
    [InlineData("a.>.b", SubjectKind.Pattern, "subscription pattern 'a.>.b' has '>' before its last token")]
    [InlineData("my group", SubjectKind.QueueGroup, "queue group 'my group' contains whitespace")]
    [InlineData("", SubjectKind.Publish, "subject is empty")]
    public void Ensure_throws_an_invalid_subject_error_naming_the_kind_the_name_and_the_problem(string name, SubjectKind kind, string message)
    {
        InvalidSubjectException error = Assert.Throws<InvalidSubjectException>(() => Subject.Ensure(name, kind));
        Assert.StartsWith(message, error.Message);
        Assert.Equal(ErrorCode.InvalidSubject, error.Code);
    }

    [Fact]
    public void Ensure_accepts_valid_names_and_rejects_null()
    {
        Subject.Ensure("orders.eu", SubjectKind.Publish);
        Subject.Ensure("orders.>", SubjectKind.Pattern);
        Assert.Throws<ArgumentNullException>(() => Subject.Ensure(null!, SubjectKind.Publish));
    }

    [Fact]
    public void Control_characters_are_shown_escaped_in_errors() =>
        Assert.Contains("'a\\u0001'", Subject.Validate("a\u0001", SubjectKind.Publish));
}
