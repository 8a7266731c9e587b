using Microsoft.AspNetCore.Http;
using Mq.Broker.Server;

namespace Mq.Broker.Monitoring.Http;

/// <summary>
/// <c>/healthz</c>: live (the broker thread works through its queue) and ready (started, its endpoint bound, not
/// stopping), each with its reason; 200 when both hold, 503 otherwise. <c>/healthz/live</c> and
/// <c>/healthz/ready</c> answer one each, for probes that tell them apart.
/// </summary>
internal static class Health
{
    public static async Task<IResult> BothAsync(BrokerServer broker, CancellationToken cancellationToken)
    {
        Check live = await LiveAsync(broker, cancellationToken);
        Check ready = Ready(broker, live);
        bool ok = live.Ok && ready.Ok;
        return Results.Json(new { status = ok ? "ok" : "unavailable", live, ready }, statusCode: ok ? 200 : 503);
    }

    public static async Task<IResult> LiveOnlyAsync(BrokerServer broker, CancellationToken cancellationToken) =>
        Answer(await LiveAsync(broker, cancellationToken));

    public static async Task<IResult> ReadyOnlyAsync(BrokerServer broker, CancellationToken cancellationToken) =>
        Answer(Ready(broker, await LiveAsync(broker, cancellationToken)));

    private static IResult Answer(Check check) =>
        Results.Json(new { status = check.Ok ? "ok" : "unavailable", check.Ok, check.Reason }, statusCode: check.Ok ? 200 : 503);

    private static async Task<Check> LiveAsync(BrokerServer broker, CancellationToken cancellationToken)
    {
        if (!broker.IsRunning)
        {
            return new Check(false, "the broker is not running (not started, or stopping)");
        }

        long started = Environment.TickCount64;
        try
        {
            await broker.PingAsync(cancellationToken).WaitAsync(SystemQuery.Timeout, cancellationToken);
            return new Check(true, $"the broker thread answered in {Environment.TickCount64 - started} ms");
        }
        catch (TimeoutException)
        {
            return new Check(false, $"the broker thread did not answer within {SystemQuery.Timeout.TotalSeconds:0} s");
        }
    }

    private static Check Ready(BrokerServer broker, Check live) =>
        !live.Ok ? new Check(false, "not live: " + live.Reason)
        : broker.IsRunning ? new Check(true, $"accepting peers on {string.Join(", ", broker.Endpoints)}")
        : new Check(false, "the broker is stopping");

    private sealed record Check(bool Ok, string Reason);
}
