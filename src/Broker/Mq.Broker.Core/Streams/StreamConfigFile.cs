using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Mq.Broker.Streams;

/// <summary>
/// The settings of file streams created at run time, one JSON file each in <c>StoreDirectory/stream-config/</c>, so
/// the broker reopens them after a restart. Streams of the configuration are not written here: the configuration
/// says what they are.
/// </summary>
internal static partial class StreamConfigFile
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static IEnumerable<(string Name, BrokerStreamOptions Options)> ReadAll(string? storeDirectory, ILogger logger)
    {
        string? folder = Folder(storeDirectory);
        if (folder is null || !Directory.Exists(folder))
        {
            yield break;
        }

        foreach (string path in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            BrokerStreamOptions? options = null;
            try
            {
                options = JsonSerializer.Deserialize<BrokerStreamOptions>(File.ReadAllText(path), Json);
            }
            catch (JsonException ex)
            {
                LogUnreadable(logger, path, ex.Message);
            }

            if (options is not null)
            {
                yield return (Path.GetFileNameWithoutExtension(path), options);
            }
        }
    }

    public static async Task WriteAsync(string storeDirectory, string name, BrokerStreamOptions options)
    {
        string folder = Folder(storeDirectory)!;
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name + ".json");

        // Written aside and moved, so a crash leaves the old file or the new one, never half of one.
        string temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(options, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static void Delete(string? storeDirectory, string name)
    {
        if (Folder(storeDirectory) is { } folder)
        {
            File.Delete(Path.Combine(folder, name + ".json"));
        }
    }

    private static string? Folder(string? storeDirectory) =>
        string.IsNullOrWhiteSpace(storeDirectory) ? null : Path.Combine(storeDirectory, "stream-config");

    [LoggerMessage(Level = LogLevel.Error, Message = "The settings of a stream created at run time, {Path}, cannot be read ({Reason}): fix or delete the file")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);
}
