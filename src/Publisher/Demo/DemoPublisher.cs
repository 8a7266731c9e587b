using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mq.Client;
using Mq.Errors;
using Mq.Publisher.Commands;

namespace Mq.Publisher.Demo;

/// <summary>
/// The demo publisher: publishes ticks at a steady rate and, every few seconds, asks the subscribers' stats
/// service what they have received. Stops the host after <c>--count</c> ticks when one is given.
/// </summary>
internal sealed partial class DemoPublisher(MqClient client, DemoPublisherSettings settings, IHostApplicationLifetime lifetime, ILogger<DemoPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan nextStats = settings.StatsEvery;
        try
        {
            for (long seq = 1; settings.Count == 0 || seq <= settings.Count; seq++)
            {
                await Pacing.WaitForSlotAsync(clock, seq - 1, settings.Rate, stoppingToken);
                await client.PublishAsync(settings.Topic, new Tick(seq, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), client.Options.Name), cancellationToken: stoppingToken);
                LogPublished(settings.Topic, seq);
                if (clock.Elapsed >= nextStats)
                {
                    nextStats = clock.Elapsed + settings.StatsEvery;
                    await AskStatsAsync(stoppingToken);
                }
            }

            await AskStatsAsync(stoppingToken);
            lifetime.StopApplication();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task AskStatsAsync(CancellationToken cancellationToken)
    {
        try
        {
            MqReply reply = await client.RequestAsync(settings.StatsService, ReadOnlyMemory<byte>.Empty, cancellationToken: cancellationToken);
            LogStats(settings.StatsService, reply.ToJson());
        }
        catch (MqException ex)
        {
            LogStatsFailed(settings.StatsService, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "published {Topic} #{Seq}")]
    private partial void LogPublished(string topic, long seq);

    [LoggerMessage(Level = LogLevel.Information, Message = "reply from {Service}: {Stats}")]
    private partial void LogStats(string service, string stats);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no stats from {Service}: {Reason}")]
    private partial void LogStatsFailed(string service, string reason);
}
