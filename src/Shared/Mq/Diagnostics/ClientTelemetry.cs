using System.Diagnostics;
using Mq.Client;

namespace Mq.Diagnostics;

/// <summary>The client's calls as they are traced and measured: the slow paths, taken only while someone listens.</summary>
internal static class ClientTelemetry
{
    /// <summary>Whether a request needs <see cref="RequestAsync"/>: a span may start, a context is current, or durations are collected.</summary>
    public static bool ObservesRequests => MqTracing.Active || MqMetrics.TimesRequests;

    /// <summary>Ends a publish span once its PUB is queued (or the queueing failed), and counts it.</summary>
    public static async ValueTask PublishedAsync(ValueTask queued, Activity? activity)
    {
        try
        {
            await queued.ConfigureAwait(false);
            MqMetrics.Published();
        }
        catch (Exception ex)
        {
            MqTracing.Fail(activity, ex);
            throw;
        }
        finally
        {
            activity?.Dispose();
        }
    }

    /// <summary>
    /// Runs a request inside a client span whose context travels in its headers, and records its duration with the
    /// outcome. <paramref name="send"/> gets the options to send with: the caller's, with the trace context added.
    /// </summary>
    public static async ValueTask<MqReply> RequestAsync(string service, int bodySize, RequestOptions? options, Func<RequestOptions?, ValueTask<MqReply>> send)
    {
        long started = Stopwatch.GetTimestamp();
        IReadOnlyDictionary<string, string>? headers = options?.Headers;
        using Activity? activity = MqTracing.StartRequest(service, bodySize, ref headers);
        if (!ReferenceEquals(headers, options?.Headers))
        {
            options = (options ?? RequestOptions.Default) with { Headers = headers };
        }

        try
        {
            MqReply reply = await send(options).ConfigureAwait(false);
            MqMetrics.RequestEnded(started, null);
            return reply;
        }
        catch (Exception ex)
        {
            MqTracing.Fail(activity, ex);
            MqMetrics.RequestEnded(started, ex);
            throw;
        }
    }
}
