using System.Text;
using Microsoft.AspNetCore.Http;
using Mq.Broker.Server;

namespace Mq.Broker.Monitoring.Http;

/// <summary>
/// <c>/api/live</c>: server-sent events for the dashboard, one a second, each
/// <c>{"at": unix ms, "stats": …, "peers": …, "subs": …, "services": …}</c> with the $SYS replies as JSON. The
/// dashboard computes rates from consecutive events. Streams are capped so that open pages cannot load the broker
/// thread without bound; each ends when its client leaves or the endpoint stops.
/// </summary>
internal sealed class LiveStream(CancellationToken stopping)
{
    public const int MaxStreams = 16;

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static readonly string[] Services = [SystemServices.Stats, SystemServices.Peers, SystemServices.Subs, SystemServices.Services];

    private int _open;

    public async Task RunAsync(HttpContext context, BrokerServer broker)
    {
        if (Interlocked.Increment(ref _open) > MaxStreams)
        {
            Interlocked.Decrement(ref _open);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"at most {MaxStreams} live streams at once", context.RequestAborted);
            return;
        }

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        CancellationToken cancellationToken = ended.Token;
        try
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            using var timer = new PeriodicTimer(Interval);
            do
            {
                await context.Response.WriteAsync(await EventAsync(broker, cancellationToken), cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page closed or the endpoint stops: the stream simply ends.
        }
        catch (BrokerUnavailableException ex)
        {
            // The dashboard shows it and EventSource reconnects by itself.
            await context.Response.WriteAsync($"event: unavailable\ndata: {ex.Message}\n\n", CancellationToken.None);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private static async Task<string> EventAsync(BrokerServer broker, CancellationToken cancellationToken)
    {
        var data = new StringBuilder("data: {\"at\":").Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        foreach (string service in Services)
        {
            data.Append(",\"").Append(service["$SYS.".Length..]).Append("\":").Append(await SystemQuery.JsonAsync(broker, service, cancellationToken));
        }

        return data.Append("}\n\n").ToString();
    }
}
