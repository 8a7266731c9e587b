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
    public IAsyncEnumerable<MqReply> RequestStreamAsync(string service, ReadOnlyMemory<byte> payload, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= RequestOptions.Default;
        TimeSpan timeout = CheckRequest(service, payload.Length, options.Timeout, nameof(options));
        if (options.StreamWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "the stream window must be positive");
        }

        var window = (uint)options.StreamWindow;
        return CallWithPartsAsync(
            static (ref MessagePackWriter w, in (ulong Id, (string Service, uint TimeoutMs, IReadOnlyDictionary<string, string>? Headers, ReadOnlyMemory<byte> Payload, uint Window) Ask) s) =>
                CommandWriter.WriteReq(ref w, s.Id, s.Ask.Service, s.Ask.TimeoutMs, s.Ask.Headers, s.Ask.Payload.Span, s.Ask.Window),
            (service, TimeoutMs(timeout), options.Headers, payload, window),
            service,
            timeout,
            grantEvery: Math.Max(1, window / 4),
            cancellationToken);
    }

    /// <summary>The checks every request makes before it is sent; returns its timeout (<paramref name="asked"/> is in the caller's <paramref name="optionsName"/>).</summary>
    private TimeSpan CheckRequest(string service, int payloadLength, TimeSpan? asked, string optionsName)
    {
        EnsureUsable();
        Subject.Ensure(service, SubjectKind.Service);
        EnsurePayloadSize(payloadLength);
        TimeSpan timeout = asked ?? _options.RequestTimeout;
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(optionsName, "the timeout must be positive");
        }

        return timeout;
    }

    private static uint TimeoutMs(TimeSpan timeout) => (uint)Math.Clamp(timeout.TotalMilliseconds, 1, uint.MaxValue);

    /// <summary>
    /// Sends a request answered by any number of REPLYPARTs or GATHEREDs before its REPLY, and yields them as they
    /// come. With <paramref name="grantEvery"/> above zero (a stream) it returns credit per that many parts read and
    /// yields the final reply last; else (a scatter-gather) the REPLY only ends the enumeration, quietly at a timeout.
    /// </summary>
    private async IAsyncEnumerable<MqReply> CallWithPartsAsync<TAsk>(CommandWrite<(ulong Id, TAsk Ask)> write, TAsk ask, string service, TimeSpan timeout, uint grantEvery, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        EnsureConnected();
        PendingRequestCall call = _tables.Pending.AddRequest(service, timeout, streamed: true);
        bool ended = false;
        try
        {
            await WriteAsync(write, (call.Id, ask), cancellationToken).ConfigureAwait(false);
            uint unacknowledged = 0;
            await foreach (MqReply part in call.Parts!.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return part;
                if (grantEvery > 0 && ++unacknowledged >= grantEvery)
                {
                    GrantParts(call.Id, unacknowledged);
                    unacknowledged = 0;
                }
            }

            MqReply? final = null;
            try
            {
                final = await call.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MqTimeoutException) when (grantEvery == 0)
            {
                // A scatter-gather's time is up: the gathering is simply over.
            }

            ended = true;
            if (grantEvery > 0)
            {
                yield return final!;
            }
        }
        finally
        {
            if (!ended)
            {
                // Broken out of, cancelled, or failed: if the request is still open, its servers stop now.
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
            _connection.SendOrWake();
        }
    }
}
