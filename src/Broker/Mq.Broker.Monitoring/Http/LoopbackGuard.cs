using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mq.Broker.Monitoring.Http;

/// <summary>
/// When the endpoint is loopback-only: refuses (403) a request from another address, and one whose Host header
/// names anything but a loopback address or localhost, so a web page elsewhere cannot reach the endpoint through
/// a browser by DNS rebinding. Refusals are counted and logged at most once per <see cref="LogEvery"/>.
/// </summary>
internal sealed partial class LoopbackGuard(ILogger<LoopbackGuard> logger)
{
    private static readonly long LogEvery = (long)TimeSpan.FromSeconds(10).TotalMilliseconds;

    private long _refused;
    private long _refusedSinceLog;
    private long _lastLog = -LogEvery;

    public long Refused => Interlocked.Read(ref _refused);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        string? problem = context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote)
            ? $"a request from {remote}"
            : !LoopbackHost(context.Request.Host.Host) ? $"a request for host '{context.Request.Host.Host}'" : null;
        if (problem is null)
        {
            await next(context);
            return;
        }

        Interlocked.Increment(ref _refused);
        Interlocked.Increment(ref _refusedSinceLog);
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _lastLog);
        if (now - last >= LogEvery && Interlocked.CompareExchange(ref _lastLog, now, last) == last)
        {
            LogRefused(problem, Interlocked.Exchange(ref _refusedSinceLog, 0));
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.Response.WriteAsync("the monitoring endpoint serves loopback only (Broker:Monitoring:AllowRemote)", context.RequestAborted);
    }

    private static bool LoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring endpoint refused {Problem}: loopback only; {Count} refused since the last such line")]
    private partial void LogRefused(string problem, long count);
}
