using System.Runtime.CompilerServices;
using MessagePack;
using Mq.Client.Connection;
using Mq.Errors;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Client;

/// <summary>Streamed replies: a request whose server sends parts, with flow control, before its final reply.</summary>
public sealed partial class MqClient
{
    /// <summary>
    /// Sends a request whose server may stream its reply, and yields each part in order (<see cref="MqReply.IsFinal"/>
    /// false), then the final reply (true), then ends. The server sends at most <see cref="RequestOptions.StreamWindow"/>
    /// parts ahead of this enumeration's reading, so it pauses while the caller does. A failing final status throws what
    /// <see cref="RequestAsync(string, ReadOnlyMemory{byte}, RequestOptions?, CancellationToken)"/> throws; a lost
    /// connection throws <see cref="NotConnectedException"/> (streams are never retried). The timeout is an idle
    /// timeout: it runs from the request and starts again with every part, so a long stream lives as long as parts
    /// keep coming. Breaking out, disposing the enumerator or cancelling ends the request at the server too.
    /// </summary>
    public async IAsyncEnumerable<MqReply> RequestStreamAsync(string service, ReadOnlyMemory<byte> payload, RequestOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnsureUsable();
        Subject.Ensure(service, SubjectKind.Service);
        EnsurePayloadSize(payload.Length);
        options ??= RequestOptions.Default;
        TimeSpan timeout = options.Timeout ?? _options.RequestTimeout;
        if (timeout <= TimeSpan.Zero || options.StreamWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "the timeout and the stream window must be positive");
        }

        EnsureConnected();
        var window = (uint)options.StreamWindow;
        PendingRequestCall call = _tables.Pending.AddRequest(service, timeout, streamed: true);
        bool ended = false;
        try
        {
            await WriteAsync(
                static (ref MessagePackWriter w, in (ulong Id, string Service, uint TimeoutMs, IReadOnlyDictionary<string, string>? Headers, ReadOnlyMemory<byte> Payload, uint Window) s) =>
                    CommandWriter.WriteReq(ref w, s.Id, s.Service, s.TimeoutMs, s.Headers, s.Payload.Span, s.Window),
                (call.Id, service, (uint)Math.Clamp(timeout.TotalMilliseconds, 1, uint.MaxValue), options.Headers, payload, window),
                cancellationToken).ConfigureAwait(false);

            // Credit goes back in quarters of the window, so the server rarely waits and GRANTs stay few.
            uint unacknowledged = 0;
            uint batch = Math.Max(1, window / 4);
            await foreach (MqReply part in call.Parts!.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return part;
                if (++unacknowledged >= batch)
                {
                    GrantParts(call.Id, unacknowledged);
                    unacknowledged = 0;
                }
            }

            MqReply final = await call.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            ended = true;
            yield return final;
        }
        finally
        {
            if (!ended)
            {
                // Broken out of, cancelled, or failed: if the request is still open, the server stops now.
                CancelRemote(call.Id);
            }

            _tables.Pending.ForgetRequest(call.Id);
        }
    }

    /// <summary>GRANT: tiny and bounded by the parts read, so it skips the outbox's capacity check rather than wait.</summary>
    private void GrantParts(ulong id, uint count)
    {
        if (Volatile.Read(ref _disposed) == 0 && State == ConnectionState.Connected && _tables.Pending.TryGetRequest(id, out _)
            && _outbox.WriteNow(static (ref MessagePackWriter w, in (ulong Id, uint Count) s) => CommandWriter.WriteGrant(ref w, s.Id, s.Count), (id, count)))
        {
            _connection.Wake();
        }
    }
}
