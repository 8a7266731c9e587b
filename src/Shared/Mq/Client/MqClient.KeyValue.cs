using MessagePack;

namespace Mq.Client;

/// <summary>Key-value buckets on top of streams keeping last values (docs/protocol.md §8.9).</summary>
public sealed partial class MqClient
{
    /// <summary>
    /// Creates the bucket <see cref="MqKeyValueOptions.Bucket"/> (asking again with the same settings is not an error) and
    /// returns it. Needs request permission on <c>$SYS.kv.create</c> (the admin's right) under a policy.
    /// </summary>
    /// <exception cref="Errors.MqException">Code <see cref="Protocol.ErrorCode.Conflict"/> when the bucket exists with other settings.</exception>
    public async ValueTask<MqKeyValue> CreateKeyValueAsync(MqKeyValueOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var args = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["bucket"] = options.Bucket,
            ["history"] = options.History,
            ["storage"] = options.Storage == MqKeyValueStorage.Memory ? "memory" : "file",
        };
        if (options.Ttl is { } ttl)
        {
            args["ttl_ms"] = (long)Math.Max(1, ttl.TotalMilliseconds);
        }

        if (options.MaxBytes is { } maxBytes)
        {
            args["max_bytes"] = maxBytes;
        }

        await RequestAsync("$SYS.kv.create", MessagePackSerializer.Serialize(args, MessagePackSerializerOptions.Standard, cancellationToken), cancellationToken: cancellationToken).ConfigureAwait(false);
        return new MqKeyValue(this, options.Bucket);
    }

    /// <summary>
    /// The bucket <paramref name="bucket"/>, without asking the broker: an operation on a bucket that does not exist fails
    /// with <see cref="Protocol.ErrorCode.NoStream"/>.
    /// </summary>
    public MqKeyValue KeyValue(string bucket) => new(this, bucket);

    /// <summary>Deletes the bucket <paramref name="bucket"/> and everything in it. Needs request permission on <c>$SYS.kv.delete</c>.</summary>
    public async ValueTask DeleteKeyValueAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        await RequestAsync("$SYS.kv.delete", MessagePackSerializer.Serialize(new Dictionary<string, object?> { ["bucket"] = bucket }, MessagePackSerializerOptions.Standard, cancellationToken), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
