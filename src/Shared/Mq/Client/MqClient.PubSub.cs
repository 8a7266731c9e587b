using System.Diagnostics;
using MessagePack;
using Mq.Client.Connection;
using Mq.Diagnostics;
using Mq.Errors;
using Mq.Protocol;
using Mq.Serialization;
using Mq.Subjects;

namespace Mq.Client;

/// <summary>Publish/subscribe: publishing, subscribing (enumerated or with a handler) and unsubscribing.</summary>
public sealed partial class MqClient
{
    /// <summary>
    /// Publishes raw payload bytes. Completes once the command is queued (not when delivered: publishing is
    /// at-most-once); waits only while the outbox is full. Invalid subjects throw <see cref="InvalidSubjectException"/>.
    /// </summary>
    public ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        EnsureUsable();
        Subject.Ensure(subject, SubjectKind.Publish);
        EnsurePayloadSize(payload.Length);
        Activity? activity = MqTracing.StartPublish(subject, payload.Length, ref headers);
        ValueTask queued = WriteAsync(
            _publishes,
            static (ref MessagePackWriter w, in (string Subject, IReadOnlyDictionary<string, string>? Headers, ReadOnlyMemory<byte> Payload) s) =>
                CommandWriter.WritePub(ref w, s.Subject, s.Headers, s.Payload.Span),
            (subject, headers, payload),
            cancellationToken);
        if (activity is null && queued.IsCompletedSuccessfully)
        {
            MqMetrics.Published();
            return queued;
        }

        return ClientTelemetry.PublishedAsync(queued, activity);
    }

    /// <summary>Publishes <paramref name="data"/> serialized with the client's serializer (MessagePack unless <see cref="MqClientOptions.Serializer"/> says otherwise), its content type in the headers.</summary>
    public ValueTask PublishAsync<T>(string subject, T data, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        PublishAsync(subject, data, _serializers.Sending, headers, cancellationToken);

    /// <summary>Publishes <paramref name="data"/> serialized with <paramref name="serializer"/>, its content type in the headers.</summary>
    public ValueTask PublishAsync<T>(string subject, T data, IMqSerializer serializer, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        (ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? withType) = _serializers.Serialize(data, serializer, headers);
        return PublishAsync(subject, payload, withType, cancellationToken);
    }

    /// <summary>
    /// Subscribes to a pattern (<c>*</c> one token, <c>&gt;</c> the rest); with a queue group, each message goes
    /// to one member of the group. Returns once the broker has confirmed, so nothing published afterwards is missed.
    /// </summary>
    public ValueTask<MqSubscription> SubscribeAsync(string pattern, string? queueGroup = null, CancellationToken cancellationToken = default) =>
        SubscribeAsync(pattern, new SubscribeOptions { QueueGroup = queueGroup }, cancellationToken);

    /// <summary>
    /// Subscribes with <paramref name="options"/>: a queue group, and flow control (see
    /// <see cref="SubscribeOptions.FlowControl"/>) for subscribers that must not lose messages.
    /// </summary>
    public async ValueTask<MqSubscription> SubscribeAsync(string pattern, SubscribeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        EnsureUsable();
        Subject.Ensure(pattern, SubjectKind.Pattern);
        if (options.QueueGroup is not null)
        {
            Subject.Ensure(options.QueueGroup, SubjectKind.QueueGroup);
        }

        EnsureConnected();
        var subscription = new MqSubscription(this, (ulong)Interlocked.Increment(ref _lastSid), pattern, options, _options.SubscriptionCapacity, _options.SubscriptionBufferBytes);
        return await OpenAsync(subscription, $"subscribe to '{pattern}'", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the subscription's SUB (or CONSUME) and returns it once the broker confirmed; forgets it if refused.</summary>
    private async ValueTask<MqSubscription> OpenAsync(MqSubscription subscription, string what, CancellationToken cancellationToken)
    {
        _tables.Subscriptions[subscription.Sid] = subscription;
        try
        {
            await ConfirmAsync(
                static (ref MessagePackWriter w, in (ulong Reference, MqSubscription Sub) s) => s.Sub.WriteSubscribe(ref w, s.Reference),
                subscription,
                what,
                cancellationToken,
                subscription.OnConfirmed).ConfigureAwait(false);
        }
        catch
        {
            _tables.Subscriptions.TryRemove(subscription.Sid, out _);
            subscription.Complete();
            throw;
        }

        return subscription;
    }

    /// <summary>Subscribes and runs <paramref name="handler"/> for each message, one at a time, in order.</summary>
    public ValueTask<MqSubscription> SubscribeAsync(string pattern, Func<MqMessage, CancellationToken, ValueTask> handler, string? queueGroup = null, CancellationToken cancellationToken = default) =>
        SubscribeAsync(pattern, handler, new SubscribeOptions { QueueGroup = queueGroup }, cancellationToken);

    /// <summary>Subscribes with <paramref name="options"/> and runs <paramref name="handler"/> for each message, one at a time, in order.</summary>
    public async ValueTask<MqSubscription> SubscribeAsync(string pattern, Func<MqMessage, CancellationToken, ValueTask> handler, SubscribeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        MqSubscription subscription = await SubscribeAsync(pattern, options, cancellationToken).ConfigureAwait(false);
        subscription.HandlerLoop = Task.Run(() => RunHandlerAsync(subscription, handler), CancellationToken.None);
        return subscription;
    }

    /// <summary>Subscribes and runs <paramref name="handler"/> with each payload deserialized as <typeparamref name="T"/>.</summary>
    public ValueTask<MqSubscription> SubscribeAsync<T>(string pattern, Func<T, MqMessage, CancellationToken, ValueTask> handler, string? queueGroup = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return SubscribeAsync(pattern, (message, ct) => handler(message.Deserialize<T>(), message, ct), queueGroup, cancellationToken);
    }

    internal async ValueTask UnsubscribeAsync(MqSubscription subscription)
    {
        if (!_tables.Subscriptions.TryRemove(subscription.Sid, out _))
        {
            return;
        }

        subscription.Complete();
        await ReleaseAsync(
            static (ref MessagePackWriter w, in (ulong Reference, ulong Sid) s) => CommandWriter.WriteUnsub(ref w, s.Reference, s.Sid),
            subscription.Sid,
            $"unsubscribe from '{subscription.Pattern}'").ConfigureAwait(false);
    }

    internal void OnMessagesDropped(MqSubscription subscription, MessagesDroppedEventArgs args)
    {
        LogDropped(args.Count, subscription.Pattern, args.Local ? "the local buffer was full" : "the broker skipped them", args.Total);
        Raise(MessagesDropped, subscription, args);
    }

    private async Task RunHandlerAsync(MqSubscription subscription, Func<MqMessage, CancellationToken, ValueTask> handler)
    {
        CancellationToken token = _disposing.Token;

        // Started from the subscriber's context: a message without a trace context starts a trace of its own.
        Activity.Current = null;
        await foreach (MqMessage message in subscription.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            using Activity? activity = MqTracing.StartProcess(message, subscription);
            try
            {
                await handler(message, token).ConfigureAwait(false);
            }
            catch (UnreadablePayloadException ex)
            {
                MqTracing.Fail(activity, ex);
                long count = subscription.CountUnreadable();
                if (subscription.UnreadableLog.Allow())
                {
                    OnUnreadable($"subscription '{subscription.Pattern}' (on {message.Subject})", ex.Message, count);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                MqTracing.Fail(activity, ex);
                OnHandlerFailed(ex, $"subscription '{subscription.Pattern}'");
            }
        }
    }
}
