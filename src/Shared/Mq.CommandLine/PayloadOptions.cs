using System.CommandLine;
using System.Text.Json;
using MessagePack;
using Mq.Serialization;

namespace Mq.CommandLine;

/// <summary>
/// A payload given on the command line: <c>--message</c> text or <c>--json</c>, sent as MessagePack, or a
/// generated <c>--size</c> (a MessagePack bin of that many bytes). Plus repeatable <c>--header key=value</c> for
/// what is sent (a serve's reply carries none).
/// </summary>
internal sealed class PayloadOptions
{
    public PayloadOptions(bool allowSize = false, bool allowHeaders = true)
    {
        Message = new Option<string?>("--message", "-m") { Description = "Text payload (sent as a MessagePack string)" };
        Json = new Option<string?>("--json", "-j") { Description = "JSON payload (sent as MessagePack)" };
        Size = allowSize ? new Option<int?>("--size") { Description = "Generated payload: a MessagePack bin of this many random bytes" }.AtLeast(0) : null;
        Headers = allowHeaders ? new Option<string[]>("--header", "-H") { Description = "Header key=value (repeatable)" } : null;
    }

    public Option<string?> Message { get; }

    public Option<string?> Json { get; }

    public Option<int?>? Size { get; }

    public Option<string[]>? Headers { get; }

    public void AddTo(Command command)
    {
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

        command.Validators.Add(result =>
        {
            int given = (result.GetValue(Message) is null ? 0 : 1) + (result.GetValue(Json) is null ? 0 : 1) + (Size is not null && result.GetValue(Size) is not null ? 1 : 0);
            if (given > 1)
            {
                result.AddError("give only one of --message, --json" + (Size is null ? "" : ", --size"));
            }
        });
    }

    /// <summary>True if any payload option was given (a serve with none echoes).</summary>
    public bool IsGiven(ParseResult parse) =>
        parse.GetValue(Message) is not null || parse.GetValue(Json) is not null || (Size is not null && parse.GetValue(Size) is not null);

    /// <summary>The payload bytes; MessagePack nil when nothing was given.</summary>
    public ReadOnlyMemory<byte> Payload(ParseResult parse)
    {
        if (parse.GetValue(Message) is { } text)
        {
            return MessagePackSerializer.Serialize(text, MqSerializer.DefaultOptions);
        }

        if (parse.GetValue(Json) is { } json)
        {
            try
            {
                return MqSerializer.FromJson(json);
            }
            catch (JsonException ex)
            {
                throw new BadPayloadException($"--json is not valid JSON: {ex.Message}");
            }
        }

        if (Size is not null && parse.GetValue(Size) is { } size)
        {
            var bytes = new byte[size];
            Random.Shared.NextBytes(bytes);

            // MessagePackSerializer (unlike MqSerializer, which passes byte buffers through raw) writes a byte[] as a bin.
            return MessagePackSerializer.Serialize(bytes, MqSerializer.DefaultOptions);
        }

        return new byte[] { MessagePackCode.Nil };
    }

    public IReadOnlyDictionary<string, string>? HeaderMap(ParseResult parse)
    {
        string[] pairs = Headers is null ? [] : parse.GetValue(Headers) ?? [];
        if (pairs.Length == 0)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
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
}
