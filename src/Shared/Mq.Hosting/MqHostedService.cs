using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mq.Client;
using Mq.Errors;
using Mq.Security;

namespace Mq.Hosting;

/// <summary>
/// Connects the registered <see cref="MqClient"/> when the host starts, opens every registered subscription and
/// service, then sends the <see cref="ReadySignal"/>, and closes them, draining, when it stops. A broker that is
/// not there yet is waited for (<see cref="MqOptions.RetryInitialConnect"/>). Invalid configuration, or a broker still unreachable when the
/// wait is over, is one log line and a stopped host with a non-zero exit code, not an exception: thrown from a
/// start, it would end a plain <c>await host.RunAsync()</c> with an unhandled-exception dump.
/// </summary>
internal sealed partial class MqHostedService(IServiceProvider services, IEnumerable<MqRegistration> registrations, IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<MqHostedService> logger) : IHostedService
{
    /// <summary>The process exit code when the broker could not be reached (the command-line peers' code too).</summary>
    public const int BrokerUnreachableExitCode = 2;

    /// <summary>The process exit code when the Mq configuration is invalid (the broker's code too).</summary>
    public const int InvalidConfigurationExitCode = 3;

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StillWaitingEvery = TimeSpan.FromSeconds(10);
    private readonly List<IAsyncDisposable> _open = [];
    private MqClient? _client;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        MqOptions options;
        try
        {
            options = services.GetRequiredService<IOptions<MqOptions>>().Value;
            _client = services.GetRequiredService<MqClient>();
        }
        catch (OptionsValidationException ex)
        {
            Stop(InvalidConfigurationExitCode, $"Mq configuration is invalid: {string.Join("; ", ex.Failures)}");
            return;
        }
        catch (Exception ex) when (ex is ArgumentException or KeyFileException)
        {
            Stop(InvalidConfigurationExitCode, $"Mq configuration is invalid: {ex.Message}");
            return;
        }

        if (await ConnectAsync(_client, options, cancellationToken))
        {
            foreach (MqRegistration registration in registrations)
            {
                _open.Add(await registration.Open(_client, scopes, cancellationToken));
                LogOpened(registration.Description);
            }

            await ReadySignal.SendAsync(cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Services and subscriptions finish what they hold first; the client then drains what they sent.
        foreach (IAsyncDisposable open in Enumerable.Reverse(_open))
        {
            await open.DisposeAsync();
        }

        _open.Clear();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    /// <summary>True once connected; false when the host was stopped meanwhile or has been told to stop.</summary>
    private async Task<bool> ConnectAsync(MqClient client, MqOptions options, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        TimeSpan delay = TimeSpan.FromMilliseconds(250);
        TimeSpan lastLogged = TimeSpan.MinValue;
        while (true)
        {
            try
            {
                await client.ConnectAsync(cancellationToken);
                if (lastLogged != TimeSpan.MinValue)
                {
                    LogConnectedAfterWait(options.Endpoint, Stopwatch.GetElapsedTime(started).TotalSeconds);
                }

                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (NotConnectedException ex)
            {
                TimeSpan waited = Stopwatch.GetElapsedTime(started);
                if (!options.RetryInitialConnect || waited + delay > options.InitialConnectWait)
                {
                    string after = options.RetryInitialConnect ? $" (waited {waited.TotalSeconds:0.#} s)" : "";
                    Stop(BrokerUnreachableExitCode, $"Mq cannot start: {ex.Message}{after}");
                    return false;
                }

                if (lastLogged == TimeSpan.MinValue || waited - lastLogged >= StillWaitingEvery)
                {
                    lastLogged = waited;
                    LogWaiting(ex.Message, options.InitialConnectWait.TotalSeconds - waited.TotalSeconds);
                }
            }

            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private void Stop(int exitCode, string reason)
    {
        LogCannotStart(reason);
        if (Environment.ExitCode == 0)
        {
            Environment.ExitCode = exitCode;
        }

        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mq {Description} is open")]
    private partial void LogOpened(string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for the Mq broker: {Reason}; retrying for {Left:0} s more (Mq:InitialConnectWait)")]
    private partial void LogWaiting(string reason, double left);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the Mq broker at {Endpoint} after waiting {Seconds:0.#} s")]
    private partial void LogConnectedAfterWait(string endpoint, double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Reason}; stopping the host")]
    private partial void LogCannotStart(string reason);
}
