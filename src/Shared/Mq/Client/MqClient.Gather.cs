using MessagePack;
using Mq.Errors;
using Mq.Protocol;

namespace Mq.Client;

/// <summary>Scatter-gather: one request to every server of a service, their replies as they arrive.</summary>
public sealed partial class MqClient
{
    /// <summary>
    /// Sends the request to every peer serving <paramref name="service"/> now and yields each successful reply as it
    /// arrives, with <see cref="MqReply.Responder"/> naming the server. The enumeration ends when every server has
    /// answered, <see cref="RequestManyOptions.MaxReplies"/> replies were yielded, or the timeout passed (no exception
    /// for the timeout). A server that fails (remote error, overloaded, lost) counts as answered and yields nothing,
    /// unless <see cref="RequestManyOptions.IncludeFailures"/> asks for its failure as a reply.
    /// Throws <see cref="NoRespondersException"/> when nobody serves it and <see cref="NotConnectedException"/> when the
    /// connection drops meanwhile (never retried). Breaking out or cancelling tells the servers still working to stop.
    /// </summary>
    public IAsyncEnumerable<MqReply> RequestManyAsync(string service, ReadOnlyMemory<byte> payload, RequestManyOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= RequestManyOptions.Default;
        TimeSpan timeout = CheckRequest(service, payload.Length, options.Timeout, nameof(options));
        if (options.MaxReplies < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxReplies must be positive");
        }

        IAsyncEnumerable<MqReply> replies = CallWithPartsAsync(
            static (ref MessagePackWriter w, in (ulong Id, (string Service, uint TimeoutMs, IReadOnlyDictionary<string, string>? Headers, ReadOnlyMemory<byte> Payload, uint MaxReplies) Ask) s) =>
                CommandWriter.WriteReqAll(ref w, s.Id, s.Ask.Service, s.Ask.TimeoutMs, s.Ask.Headers, s.Ask.Payload.Span, s.Ask.MaxReplies),
            (service, TimeoutMs(timeout), options.Headers, payload, (uint)(options.MaxReplies ?? 0)),
            service,
            timeout,
            grantEvery: 0,
            cancellationToken);
        return options.IncludeFailures ? replies : replies.Where(reply => reply.Failure is null);
    }
}
