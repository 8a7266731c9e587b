using System.Runtime.CompilerServices;
using MessagePack;
using Mq.Client.Connection;
using Mq.Errors;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Client;

/// <summary>Scatter-gather: one request to every server of a service, their replies as they arrive.</summary>
public sealed partial class MqClient
{
    /// <summary>
    /// Sends the request to every peer serving <paramref name="service"/> now and yields each successful reply as it
    /// arrives, with <see cref="MqReply.Responder"/> naming the server. The enumeration ends when every server has
    /// answered, <see cref="RequestManyOptions.MaxReplies"/> replies were yielded, or the timeout passed (no exception
    /// for the timeout). A server that fails (remote error, overloaded, lost) counts as answered and yields nothing.
    /// Throws <see cref="NoRespondersException"/> when nobody serves it and <see cref="NotConnectedException"/> when the
    /// connection drops meanwhile (never retried). Breaking out or cancelling tells the servers still working to stop.
    /// </summary>
    public async IAsyncEnumerable<MqReply> RequestManyAsync(string service, ReadOnlyMemory<byte> payload, RequestManyOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnsureUsable();
        Subject.Ensure(service, SubjectKind.Service);
        EnsurePayloadSize(payload.Length);
        options ??= RequestManyOptions.Default;
        TimeSpan timeout = options.Timeout ?? _options.RequestTimeout;
        if (timeout <= TimeSpan.Zero || options.MaxReplies < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "the timeout and MaxReplies must be positive");
        }

        EnsureConnected();
        PendingRequestCall call = _tables.Pending.AddRequest(service, timeout, streamed: true);
        bool ended = false;
        try
        {
            await WriteAsync(
                static (ref MessagePackWriter w, in (ulong Id, string Service, uint TimeoutMs, IReadOnlyDictionary<string, string>? Headers, ReadOnlyMemory<byte> Payload, uint MaxReplies) s) =>
                    CommandWriter.WriteReqAll(ref w, s.Id, s.Service, s.TimeoutMs, s.Headers, s.Payload.Span, s.MaxReplies),
                (call.Id, service, (uint)Math.Clamp(timeout.TotalMilliseconds, 1, uint.MaxValue), options.Headers, payload, (uint)(options.MaxReplies ?? 0)),
                cancellationToken).ConfigureAwait(false);

            await foreach (MqReply reply in call.Parts!.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return reply;
            }

            try
            {
                await call.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MqTimeoutException)
            {
                // The broker's word that the time is up (or this client's backstop): the gathering is simply over.
            }

            ended = true;
        }
        finally
        {
            if (!ended)
            {
                CancelRemote(call.Id);
            }

            _tables.Pending.ForgetRequest(call.Id);
        }
    }
}
