using System.Buffers;
using MessagePack;

namespace Mq.Protocol;

/// <summary>
/// Reads the commands of one frame: a frame is one or more MessagePack arrays back to back, each
/// <c>[code, field...]</c>. Slices point into the frame, so nothing is copied or decoded that the caller
/// does not ask for: the broker reads subjects as UTF-8 and forwards payloads and headers as raw bytes.
/// Every failure surfaces as <see cref="ProtocolException"/>.
/// </summary>
public ref struct CommandReader
{
    private readonly ReadOnlyMemory<byte> _frame;
    private MessagePackReader _reader;
    private int _remaining;

    public CommandReader(ReadOnlyMemory<byte> frame)
    {
        _frame = frame;
        _reader = new MessagePackReader(frame);
        _remaining = 0;
    }

    public readonly bool End => _reader.End;

    /// <summary>Bytes of the frame read so far: where the next command starts, between commands.</summary>
    public readonly int Position => (int)_reader.Consumed;

    /// <summary>True while the current command has fields left: how optional trailing fields are detected.</summary>
    public readonly bool HasMoreFields => _remaining > 0;

    /// <summary>Starts the next command; afterwards read exactly the fields that command defines, then call <see cref="EndCommand"/>.</summary>
    public CommandCode ReadCommand()
    {
        try
        {
            if (_reader.NextMessagePackType != MessagePackType.Array)
            {
                throw new ProtocolException("a command must be a MessagePack array");
            }

            int count = _reader.ReadArrayHeader();
            if (count < 1)
            {
                throw new ProtocolException("a command array cannot be empty");
            }

            if (_reader.NextMessagePackType != MessagePackType.Integer)
            {
                throw new ProtocolException("a command must start with its integer code");
            }

            ulong code = _reader.ReadUInt64();
            _remaining = count - 1;
            return code > byte.MaxValue ? 0 : (CommandCode)code;
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Malformed(ex);
        }
    }

    /// <summary>Skips fields a newer minor revision may have appended, so old readers stay compatible.</summary>
    public void EndCommand()
    {
        try
        {
            while (_remaining > 0)
            {
                _reader.Skip();
                _remaining--;
            }
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Malformed(ex);
        }
    }

    /// <summary>Skips the rest of an unknown command so the next one can still be read.</summary>
    public void SkipCommand() => EndCommand();

    public ulong ReadUInt()
    {
        Take("integer");
        try
        {
            if (_reader.NextMessagePackType != MessagePackType.Integer)
            {
                throw new ProtocolException("expected an unsigned integer");
            }

            return _reader.ReadUInt64();
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Malformed(ex);
        }
    }

    /// <summary>A string field's UTF-8 bytes, not decoded.</summary>
    public ReadOnlyMemory<byte> ReadUtf8(int maxBytes)
    {
        ReadOnlyMemory<byte>? value = ReadUtf8OrNil(maxBytes);
        return value ?? throw new ProtocolException("expected a string, got nil");
    }

    public ReadOnlyMemory<byte>? ReadUtf8OrNil(int maxBytes)
    {
        Take("string");
        try
        {
            if (_reader.TryReadNil())
            {
                return null;
            }

            if (_reader.NextMessagePackType != MessagePackType.String)
            {
                throw new ProtocolException("expected a string");
            }

            ReadOnlySequence<byte>? seq = _reader.ReadStringSequence();
            ReadOnlyMemory<byte> bytes = seq.HasValue ? seq.Value.First : ReadOnlyMemory<byte>.Empty;
            if (bytes.Length > maxBytes)
            {
                throw new ProtocolException(ErrorCode.TooLarge, $"string field of {bytes.Length} bytes exceeds {maxBytes}");
            }

            return bytes;
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Malformed(ex);
        }
    }

    public string ReadString(int maxBytes) => System.Text.Encoding.UTF8.GetString(ReadUtf8(maxBytes).Span);

    public string? ReadStringOrNil(int maxBytes)
    {
        ReadOnlyMemory<byte>? bytes = ReadUtf8OrNil(maxBytes);
        return bytes.HasValue ? System.Text.Encoding.UTF8.GetString(bytes.Value.Span) : null;
    }

    /// <summary>A bin field (payloads), as a slice of the frame.</summary>
    public ReadOnlyMemory<byte> ReadBinary()
    {
        Take("binary");
        try
        {
            if (_reader.NextMessagePackType != MessagePackType.Binary)
            {
                throw new ProtocolException("expected binary payload");
            }

            ReadOnlySequence<byte>? seq = _reader.ReadBytes();
            return seq.HasValue ? seq.Value.First : ReadOnlyMemory<byte>.Empty;
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Malformed(ex);
        }
    }

    /// <summary>
    /// A header block: nil or a map of string to string, returned as its raw encoding (empty for nil) after
    /// checking its shape, so it can be forwarded without being decoded into objects.
    /// </summary>
    public ReadOnlyMemory<byte> ReadHeadersRaw()
    {
        Take("headers");
        try
        {
            if (_reader.TryReadNil())
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            int start = (int)_reader.Consumed;
            if (_reader.NextMessagePackType != MessagePackType.Map)
            {
                throw new ProtocolException("headers must be a map or nil");
            }

            int count = _reader.ReadMapHeader();
            for (int i = 0; i < count * 2; i++)
            {
                if (_reader.NextMessagePackType != MessagePackType.String)
                {
                    throw new ProtocolException("header keys and values must be strings");
                }

                _reader.Skip();
            }

            int length = (int)_reader.Consumed - start;
            if (length > ProtocolLimits.MaxHeaderBytes)
            {
                throw new ProtocolException(ErrorCode.TooLarge, $"header block of {length} bytes exceeds {ProtocolLimits.MaxHeaderBytes}");
            }

            return _frame.Slice(start, length);
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Malformed(ex);
        }
    }

    /// <summary>A map of small settings (HELLO, WELCOME): string keys, scalar values. Unknown keys are kept for the caller to ignore.</summary>
    public Dictionary<string, object?> ReadSettings()
    {
        Take("settings");
        try
        {
            var settings = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (_reader.TryReadNil())
            {
                return settings;
            }

            if (_reader.NextMessagePackType != MessagePackType.Map)
            {
                throw new ProtocolException("settings must be a map or nil");
            }

            int count = _reader.ReadMapHeader();
            for (int i = 0; i < count; i++)
            {
                string key = _reader.ReadString() ?? throw new ProtocolException("settings keys must be strings");
                settings[key] = _reader.NextMessagePackType switch
                {
                    MessagePackType.Integer => _reader.ReadInt64(),
                    MessagePackType.String => _reader.ReadString(),
                    MessagePackType.Boolean => _reader.ReadBoolean(),
                    MessagePackType.Binary => _reader.ReadBytes()?.ToArray(),
                    _ => SkipValue(ref _reader),
                };
            }

            return settings;
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Malformed(ex);
        }
    }

    /// <summary>An array of unsigned integers (the versions a broker lists in CONNECTED).</summary>
    public List<int> ReadIntArray(int maxCount)
    {
        Take("array");
        try
        {
            int count = _reader.ReadArrayHeader();
            if (count > maxCount)
            {
                throw new ProtocolException(ErrorCode.TooLarge, $"array of {count} items exceeds {maxCount}");
            }

            var values = new List<int>(count);
            for (int i = 0; i < count; i++)
            {
                values.Add(_reader.ReadInt32());
            }

            return values;
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Malformed(ex);
        }
    }

    private static object? SkipValue(ref MessagePackReader reader)
    {
        reader.Skip();
        return null;
    }

    private void Take(string what)
    {
        if (_remaining <= 0)
        {
            throw new ProtocolException($"command has too few fields (missing {what})");
        }

        _remaining--;
    }

    private static ProtocolException Malformed(Exception inner) =>
        new($"malformed MessagePack: {inner.Message}", inner);
}
