using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Mq.Errors;
using Mq.Protocol;

namespace Mq.Subjects;

/// <summary>
/// Rules for subjects, patterns and service names: dot-separated non-empty tokens, no whitespace or control
/// characters, at most <see cref="ProtocolLimits.MaxSubjectBytes"/> UTF-8 bytes. <c>*</c> and <c>&gt;</c> are
/// wildcards and may appear only as whole tokens of a pattern, <c>&gt;</c> only last.
/// </summary>
public static class Subject
{
    public const char Separator = '.';
    public const string SingleWildcard = "*";
    public const string TailWildcard = ">";

    /// <summary>Returns why <paramref name="value"/> is not valid for <paramref name="kind"/>, or null if it is.</summary>
    public static string? Validate(ReadOnlySpan<char> value, SubjectKind kind)
    {
        string what = Describe(kind);
        if (value.IsEmpty)
        {
            return $"{what} is empty";
        }

        int maxBytes = kind == SubjectKind.QueueGroup ? ProtocolLimits.MaxNameBytes : ProtocolLimits.MaxSubjectBytes;
        if (Encoding.UTF8.GetByteCount(value) > maxBytes)
        {
            return $"{what} is longer than {maxBytes} bytes";
        }

        int tokenStart = 0;
        for (int i = 0; i <= value.Length; i++)
        {
            if (i < value.Length && value[i] != Separator)
            {
                char c = value[i];
                if (char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    return $"{what} '{Printable(value)}' contains whitespace or a control character";
                }

                if (char.IsSurrogate(c))
                {
                    // A lone surrogate has no UTF-8 form: it would travel as U+FFFD and merge with other names.
                    if (!char.IsHighSurrogate(c) || i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                    {
                        return $"{what} '{Printable(value)}' contains an unpaired surrogate (not valid Unicode)";
                    }

                    i++;
                }

                continue;
            }

            ReadOnlySpan<char> token = value[tokenStart..i];
            if (token.IsEmpty)
            {
                return $"{what} '{Printable(value)}' has an empty token";
            }

            string? tokenError = ValidateToken(token, kind, isLast: i == value.Length);
            if (tokenError is not null)
            {
                return $"{what} '{Printable(value)}' {tokenError}";
            }

            tokenStart = i + 1;
        }

        return null;
    }

    /// <summary>Validates UTF-8 bytes as they arrive off the wire (invalid UTF-8 is an error too).</summary>
    public static string? Validate(ReadOnlySpan<byte> utf8, SubjectKind kind)
    {
        int maxBytes = kind == SubjectKind.QueueGroup ? ProtocolLimits.MaxNameBytes : ProtocolLimits.MaxSubjectBytes;
        if (utf8.Length > maxBytes)
        {
            return $"{Describe(kind)} is longer than {maxBytes} bytes";
        }

        Span<char> chars = stackalloc char[utf8.Length];
        if (Utf8.ToUtf16(utf8, chars, out _, out int written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            return $"{Describe(kind)} is not valid UTF-8";
        }

        return Validate(chars[..written], kind);
    }

    /// <summary>Throws <see cref="InvalidSubjectException"/> unless <paramref name="value"/> is valid for <paramref name="kind"/>.</summary>
    public static void Ensure(string value, SubjectKind kind)
    {
        ArgumentNullException.ThrowIfNull(value);
        string? error = Validate(value.AsSpan(), kind);
        if (error is not null)
        {
            throw new InvalidSubjectException(error);
        }
    }

    /// <summary>True if <paramref name="pattern"/> (wildcards allowed) matches the literal <paramref name="subject"/>.</summary>
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> subject)
    {
        while (true)
        {
            ReadOnlySpan<char> patternToken = NextToken(ref pattern, out bool patternMore);
            if (patternToken.SequenceEqual(TailWildcard))
            {
                return !subject.IsEmpty;
            }

            if (subject.IsEmpty)
            {
                return false;
            }

            ReadOnlySpan<char> subjectToken = NextToken(ref subject, out bool subjectMore);
            if (!patternToken.SequenceEqual(SingleWildcard) && !patternToken.SequenceEqual(subjectToken))
            {
                return false;
            }

            if (!patternMore || !subjectMore)
            {
                return patternMore == subjectMore;
            }
        }
    }

    private static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> rest, out bool more)
    {
        int dot = rest.IndexOf(Separator);
        ReadOnlySpan<char> token;
        if (dot < 0)
        {
            token = rest;
            rest = [];
            more = false;
        }
        else
        {
            token = rest[..dot];
            rest = rest[(dot + 1)..];
            more = true;
        }

        return token;
    }

    private static string? ValidateToken(ReadOnlySpan<char> token, SubjectKind kind, bool isLast)
    {
        bool isStar = token.SequenceEqual(SingleWildcard);
        bool isTail = token.SequenceEqual(TailWildcard);
        if (kind == SubjectKind.Pattern)
        {
            if (isTail && !isLast)
            {
                return "has '>' before its last token";
            }

            if (!isStar && !isTail && token.IndexOfAny('*', '>') >= 0)
            {
                return "has a wildcard inside a token ('*' and '>' must stand alone)";
            }

            return null;
        }

        return token.IndexOfAny('*', '>') >= 0 ? "contains a wildcard ('*' and '>' are allowed only in subscription patterns)" : null;
    }

    private static string Describe(SubjectKind kind) => kind switch
    {
        SubjectKind.Publish => "subject",
        SubjectKind.Pattern => "subscription pattern",
        SubjectKind.Service => "service name",
        _ => "queue group",
    };

    private static string Printable(ReadOnlySpan<char> value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return builder.ToString();
    }
}
