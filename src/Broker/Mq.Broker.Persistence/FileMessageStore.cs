using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mq.Broker.Persistence;

/// <summary>
/// Streams in local files: <c>streams/NAME/</c> under the store's directory, one per stream. A lock file keeps a
/// second process from opening the same directory; the operating system releases it if the process dies.
/// </summary>
public sealed class FileMessageStore : IMessageStore
{
    private readonly Dictionary<string, FileStreamStore> _open = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _streams;
    private readonly FileStream _lock;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private bool _disposed;

    private FileMessageStore(string directory, FileStream lockFile, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _streams = Path.Combine(directory, "streams");
        _lock = lockFile;
        _loggerFactory = loggerFactory;
        _time = time;
    }

    /// <exception cref="IOException">Another process (or instance) has the directory open.</exception>
    public static ValueTask<FileMessageStore> OpenAsync(FileStoreOptions options, ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(Path.Combine(options.Directory, "streams"));
        string lockPath = Path.Combine(options.Directory, "LOCK");
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception)
        {
            throw new IOException($"The store in {options.Directory} is open in another process ({lockPath} is locked): stop that process first.", exception);
        }
        return ValueTask.FromResult(new FileMessageStore(options.Directory, lockFile, loggerFactory ?? NullLoggerFactory.Instance,
            timeProvider ?? TimeProvider.System));
    }

    public async ValueTask<IStreamStore> OpenStreamAsync(StreamOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            lock (_open)
            {
                if (_open.TryGetValue(options.Name, out FileStreamStore? open))
                    return open;
            }
            FileStreamStore stream = await FileStreamStore.OpenAsync(Path.Combine(_streams, options.Name), options,
                _loggerFactory.CreateLogger<FileStreamStore>(), _time, Forget, cancellationToken);
            lock (_open)
                _open[options.Name] = stream;
            return stream;
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask<IReadOnlyList<string>> ListStreamsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<string>>(
            [.. Directory.GetDirectories(_streams).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]);

    public async ValueTask<bool> DeleteStreamAsync(string name, CancellationToken cancellationToken = default)
    {
        new StreamOptions { Name = name }.Validate();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            FileStreamStore? open;
            lock (_open)
                _open.TryGetValue(name, out open);
            if (open is not null)
                await open.DisposeAsync();
            string directory = Path.Combine(_streams, name);
            if (!Directory.Exists(directory))
                return false;
            Directory.Delete(directory, recursive: true);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<FileStreamStore> streams;
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            lock (_open)
                streams = [.. _open.Values];
        }
        finally
        {
            _gate.Release();
        }
        foreach (FileStreamStore stream in streams)
            await stream.DisposeAsync();
        await _lock.DisposeAsync();
    }

    private void Forget(FileStreamStore stream)
    {
        lock (_open)
            _open.Remove(stream.Name);
    }
}
