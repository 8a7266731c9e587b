using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MessagePack;
using Mq.Serialization;

namespace Mq.CommandLine;

/// <summary>
/// A payload given on the command line, sent as MessagePack: <c>--message</c> text, <c>--json</c>, a generated
/// <c>--size</c> (a MessagePack bin of that many bytes), a positional payload (JSON if it parses as JSON, else
/// text), or standard input (<c>--message -</c>, <c>--json -</c>, or piped in with no payload given), whole or
/// one message per line. Plus repeatable <c>--header key=value</c> and <c>--content-type</c> for what is sent (a
/// serve's reply carries none): with JSON or XML the text given is sent as it is (see <see cref="PayloadFormat"/>).
/// </summary>
internal sealed class PayloadOptions
{
    /// <summary>The value of <c>--message</c> or <c>--json</c> that reads the payload from standard input.</summary>
    public const string StandardInput = "-";

    private const string Newline = "newline";

    public PayloadOptions(bool allowSize = false, bool allowHeaders = true, bool fromArguments = false, bool allowLines = false)
    {
        Message = new Option<string?>("--message", "-m") { Description = "Text payload (sent as a MessagePack string); - reads it from standard input" };
        Json = new Option<string?>("--json", "-j") { Description = "JSON payload (sent as MessagePack); - reads it from standard input" };
        Size = allowSize ? new Option<int?>("--size") { Description = "Generated payload: a MessagePack bin of this many random bytes" }.AtLeast(0) : null;
        Headers = allowHeaders ? new Option<string[]>("--header", "-H") { Description = "Header key=value (repeatable)" } : null;
        if (allowHeaders)
        {
            ContentType = new Option<string?>("--content-type") { Description = "Payload format: msgpack (default: JSON and text converted), json or xml (the text given is sent as it is, checked, with a content-type header)" };
            ContentType.AcceptOnlyFromAmong(PayloadFormat.Names);
        }

        Positional = fromArguments
            ? new Argument<string?>("payload") { Description = "Payload: JSON if it parses as JSON, else text (default: standard input when it is redirected)", Arity = ArgumentArity.ZeroOrOne }
            : null;
        if (allowLines)
        {
            SendOn = new Option<string>("--send-on") { Description = "Reading standard input: one message at its end (eof), or one per line (newline)", DefaultValueFactory = _ => "eof" };
            SendOn.AcceptOnlyFromAmong("eof", Newline);
        }
    }

    public Option<string?> Message { get; }

    public Option<string?> Json { get; }

    public Option<int?>? Size { get; }

    public Option<string[]>? Headers { get; }

    public Argument<string?>? Positional { get; }

    public Option<string?>? ContentType { get; }

    public Option<string>? SendOn { get; }

    public void AddTo(Command command)
    {
        if (Positional is not null)
        {
            command.Arguments.Add(Positional);
        }

        command.Options.Add(Message);
        command.Options.Add(Json);
        if (Size is not null)
        {
            command.Options.Add(Size);
        }

        if (Headers is not null)
        {
            command.Options.Add(Headers);
        }

        if (ContentType is not null)
        {
            command.Options.Add(ContentType);
        }

        if (SendOn is not null)
        {
            command.Options.Add(SendOn);
        }

        // Reads what was given from the tokens: a value that does not parse is the parser's error to report, and
        // reading it with GetValue would throw.
        command.Validators.Add(result =>
        {
            Symbol?[] sources = [Message, Json, Size, Positional];
            int given = sources.Count(source => source is not null && Given(result, source));
            if (given > 1)
            {
                result.AddError("give only one payload: the payload argument, --message, --json" + (Size is null ? "" : " or --size"));
            }
            else if (SendOn is not null && Token(result, SendOn) == Newline && given == 1
                && Token(result, Message) != StandardInput && Token(result, Json) != StandardInput)
            {
                result.AddError("--send-on newline reads the messages from standard input: give no other payload (or --message - / --json -)");
            }
            else if (ContentType is not null && PayloadFormat.IsText(PayloadFormat.MediaType(Token(result, ContentType) ?? "")) && Size is not null && Given(result, Size))
            {
                result.AddError("--size generates a MessagePack bin: it cannot be sent as --content-type json or xml");
            }
        });
    }

    /// <summary>True if the command's <c>--send-on newline</c> was given (for other options' rules).</summary>
    public bool LinesGiven(System.CommandLine.Parsing.CommandResult result) => SendOn is not null && Token(result, SendOn) == Newline;

    /// <summary>True if any payload option was given (a serve with none echoes).</summary>
    public bool IsGiven(ParseResult parse) =>
        parse.GetValue(Message) is not null || parse.GetValue(Json) is not null || (Size is not null && parse.GetValue(Size) is not null);

    /// <summary>True if each line of standard input is a message of its own (<c>--send-on newline</c>).</summary>
    public bool ReadsLines(ParseResult parse) => SendOn is not null && parse.GetValue(SendOn) == Newline;

    /// <summary>
    /// The payload bytes; standard input is read when asked for (<c>-</c>), or, for a command that takes a
    /// positional payload, when it is redirected and no payload is given. MessagePack nil when there is none
    /// (nothing given, or empty input).
    /// </summary>
    public async Task<ReadOnlyMemory<byte>> PayloadAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (TextFormat(parse) is { } format)
        {
            string given = parse.GetValue(Message) ?? parse.GetValue(Json) ?? (Positional is null ? null : parse.GetValue(Positional))
                ?? (Console.IsInputRedirected ? StandardInput : throw new BadPayloadException($"--content-type {format} sends the text given: give the payload argument, --message, --json or standard input"));
            return PayloadFormat.Encode(format, given == StandardInput ? await ReadInputAsync(cancellationToken) : given, $"the {format} payload");
        }

        if (parse.GetValue(Message) is { } text)
        {
            return Text(text == StandardInput ? await ReadInputAsync(cancellationToken) : text);
        }

        if (parse.GetValue(Json) is { } json)
        {
            return FromJson(json == StandardInput ? await ReadInputAsync(cancellationToken) : json, "--json");
        }

        if (Size is not null && parse.GetValue(Size) is { } size)
        {
            var bytes = new byte[size];
            Random.Shared.NextBytes(bytes);

            // MessagePackSerializer (unlike MqSerializer, which passes byte buffers through raw) writes a byte[] as a bin.
            return MessagePackSerializer.Serialize(bytes, MqSerializer.DefaultOptions, cancellationToken);
        }

        if (Positional is not null && parse.GetValue(Positional) is { } argument)
        {
            return JsonOrText(argument, "the payload argument");
        }

        if (Positional is not null && Console.IsInputRedirected && await ReadInputAsync(cancellationToken) is { Length: > 0 } input)
        {
            return JsonOrText(input, "standard input");
        }

        return new byte[] { MessagePackCode.Nil };
    }

    /// <summary>Each non-empty line of standard input as a payload: text, JSON, or (by default) JSON if it parses, else text.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> LinesAsync(ParseResult parse, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? format = TextFormat(parse);
        Func<string, ReadOnlyMemory<byte>> encode = format is not null ? line => PayloadFormat.Encode(format, line, $"a line of {format}")
            : parse.GetValue(Message) is not null ? line => Text(line)
            : parse.GetValue(Json) is not null ? line => FromJson(line, "a line of --json -")
            : line => JsonOrText(line, "a line of standard input");
        while (await Console.In.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                yield return encode(line);
            }
        }
    }

    public IReadOnlyDictionary<string, string>? HeaderMap(ParseResult parse)
    {
        string[] pairs = Headers is null ? [] : parse.GetValue(Headers) ?? [];
        string? contentType = ContentType is null || parse.GetValue(ContentType) is not { } name ? null : PayloadFormat.MediaType(name);
        if (pairs.Length == 0 && contentType is null)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (contentType is not null)
        {
            headers[MqContentTypes.Header] = contentType;
        }

        foreach (string pair in pairs)
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new BadPayloadException($"--header '{pair}' must look like key=value");
            }

            headers[pair[..equals]] = pair[(equals + 1)..];
        }

        return headers;
    }

    /// <summary>The media type when the payload text is sent as it is (JSON, XML); null for MessagePack.</summary>
    private string? TextFormat(ParseResult parse) =>
        ContentType is not null && parse.GetValue(ContentType) is { } name && PayloadFormat.IsText(PayloadFormat.MediaType(name)) ? PayloadFormat.MediaType(name) : null;

    private static bool Given(System.CommandLine.Parsing.CommandResult result, Symbol source) => source switch
    {
        Option option => result.GetResult(option) is not null,
        Argument argument => result.GetResult(argument)?.Tokens.Count > 0,
        _ => false,
    };

    private static string? Token(System.CommandLine.Parsing.CommandResult result, Option option) =>
        result.GetResult(option)?.Tokens is [var only] ? only.Value : null;

    private static byte[] Text(string text) => MessagePackSerializer.Serialize(text, MqSerializer.DefaultOptions);

    private static byte[] FromJson(string json, string source)
    {
        try
        {
            return MqSerializer.FromJson(json);
        }
        catch (JsonException ex)
        {
            throw new BadPayloadException($"{source} is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>
    /// JSON if it parses, else text. What opens like a JSON object or array but does not parse is refused rather
    /// than sent as text: it is far more likely a broken JSON than a message meant to start with a brace.
    /// </summary>
    private static byte[] JsonOrText(string value, string source)
    {
        try
        {
            return MqSerializer.FromJson(value);
        }
        catch (JsonException ex) when (value.TrimStart() is ['{' or '[', ..])
        {
            throw new BadPayloadException($"{source} looks like JSON but is not valid JSON: {ex.Message} (send it as text with --message)");
        }
        catch (JsonException)
        {
            return Text(value);
        }
    }

    /// <summary>All of standard input, without the one trailing newline that <c>echo</c> and editors add.</summary>
    private static async Task<string> ReadInputAsync(CancellationToken cancellationToken)
    {
        string input = await Console.In.ReadToEndAsync(cancellationToken);
        return input.EndsWith("\r\n", StringComparison.Ordinal) ? input[..^2] : input.EndsWith('\n') ? input[..^1] : input;
    }
}
