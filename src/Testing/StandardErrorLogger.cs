using Microsoft.Extensions.Logging;

namespace Mq.Testing;

/// <summary>
/// The broker process's log: one line per entry on standard error, where <see cref="PeerProcess"/> keeps it for the
/// test's failure messages. The kit carries no logging package for this.
/// </summary>
internal sealed class StandardErrorLogger(string category) : ILogger, ILoggerFactory
{
    public StandardErrorLogger()
        : this("")
    {
    }

    public ILogger CreateLogger(string categoryName) => new StandardErrorLogger(categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the broker process logs to standard error only");

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string line = $"{logLevel.ToString()[..4].ToLowerInvariant()}: {category}: {formatter(state, exception)}";
        Console.Error.WriteLine(exception is null ? line : $"{line}\n{exception}");
    }

    public void Dispose()
    {
    }
}
