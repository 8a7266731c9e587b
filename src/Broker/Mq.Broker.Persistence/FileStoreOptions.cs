namespace Mq.Broker.Persistence;

/// <summary>Where a <see cref="FileMessageStore"/> keeps its files: one subdirectory per stream.</summary>
public sealed record FileStoreOptions
{
    public required string Directory { get; init; }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
            throw new ArgumentException("FileStoreOptions.Directory is empty: name the directory the store keeps its streams in.", nameof(Directory));
    }
}
