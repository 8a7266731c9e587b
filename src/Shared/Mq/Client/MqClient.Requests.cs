using MessagePack;
using Mq.Client.Connection;
using Mq.Diagnostics;
using Mq.Errors;
using Mq.Protocol;
using Mq.Serialization;
using Mq.Subjects;

namespace Mq.Client;

/// <summary>Request/reply: requesting services and serving them.</summary>
public sealed partial class MqClient
{
    /// <summary>How long a retried request waits for servers to re-register after a reconnect before asking again.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Sends a request to one of the peers serving <paramref name="service"/> and waits for its reply.
    /// Fails fast with <see cref="NoRespondersException"/> when nobody serves it, <see cref="ResponderLostException"/>
    /// when the server goes away, <see cref="RemoteErrorException"/> when its handler throws, and
    /// <see cref="MqTimeoutException"/> when the deadline passes.
    /// </summary>
    public ValueTask<MqReply> RequestAsync(string service, ReadOnlyMemory<byte> payload, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        ClientTelemetry.ObservesRequests
            ? ClientTelemetry.RequestAsync(service, payload.Length, options, traced => SendRequestAsync(service, payload, traced, cancellationToken))
            : SendRequestAsync(service, payload, options, cancellationToken);

    private async ValueTask<MqReply> SendRequestAsync(string service, ReadOnlyMemory<byte> payload, RequestOptions? options, CancellationToken cancellationToken)
    {
        options ??= RequestOptions.Default;
        TimeSpan timeout = CheckRequest(service, payload.Length, options.Timeout, nameof(options));

        if (!options.RetryOnDisconnect)
        {
            EnsureConnected();
            return await RequestOnceAsync(service, payload, options, timeout, cancellationToken).ConfigureAwait(false);
        }

        // Safe to retry: ride out disconnects until the one deadline passes. After a reconnect the servers come
        // back on their own schedule, so "no responders" then means "not yet", and is retried too.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool reconnected = false;
        while (true)
        {
            TimeSpan left = timeout - clock.Elapsed;
            try
            {
                await WhenConnected().WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                return await RequestOnceAsync(service, payload, options, timeout - clock.Elapsed, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new MqTimeoutException($"no reply from '{service}' within {timeout.TotalMilliseconds:0} ms (not connected)");
            }
            catch (NotConnectedException) when (clock.Elapsed < timeout && Volatile.Read(ref _disposed) == 0)
            {
                LogRetrying(service);
                reconnected = true;
            }
            catch (NoRespondersException) when (reconnected && clock.Elapsed + RetryPause < timeout)
            {
                await Task.Delay(RetryPause, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<MqReply> RequestOnceAsync(string service, ReadOnlyMemory<byte> payload, RequestOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            throw new MqTimeoutException($"no reply from '{service}' in time");
        }

        PendingRequestCall call = _tables.Pending.AddRequest(service, timeout);
        try
        {
            await WriteAsync(
                static (ref MessagePackWriter w, in (ulong Id, string Service, uint TimeoutMs, IReadOnlyDictionary<string, string>? Headers, ReadOnlyMemory<byte> Payload) s) =>
                    CommandWriter.WriteReq(ref w, s.Id, s.Service, s.TimeoutMs, s.Headers, s.Payload.Span),
                (call.Id, service, TimeoutMs(timeout), options.Headers, payload),
                cancellationToken).ConfigureAwait(false);
            // The deadline is kept by the broker's answer and, as a backstop, by PendingCalls.ExpireRequests.
            return await call.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            CancelRemote(call.Id);
            throw;
        }
        finally
        {
            _tables.Pending.ForgetRequest(call.Id);
        }
    }

    /// <summary>
    /// Typed request: serializes <paramref name="request"/> with <see cref="RequestOptions.Serializer"/> or the
    /// client's serializer (its content type in the headers), and reads the reply by its own content type.
    /// </summary>
    public async ValueTask<TReply> RequestAsync<TRequest, TReply>(string service, TRequest request, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= RequestOptions.Default;
        (ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers) = _serializers.Serialize(request, options.Serializer, options.Headers);
        MqReply reply = await RequestAsync(service, payload, ReferenceEquals(headers, options.Headers) ? options : options with { Headers = headers }, cancellationToken).ConfigureAwait(false);
        return reply.Deserialize<TReply>();
    }

    /// <summary>
    /// Serves <paramref name="service"/>: the broker balances its requests across every peer serving it. The
    /// handler's return value is the reply; an exception becomes a remote error for the requester.
    /// </summary>
    public async ValueTask<MqService> ServeAsync(string service, Func<MqRequest, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler, ServeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        EnsureUsable();
        Subject.Ensure(service, SubjectKind.Service);
        EnsureConnected();
        options ??= ServeOptions.Default;
        if (options.MaxConcurrency < 1 || options.QueueCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxConcurrency and QueueCapacity must be at least 1");
        }

        var registration = new MqService(this, service, handler, options);
        if (!_tables.Services.TryAdd(service, registration))
        {
            registration.Abort();
            throw new InvalidOperationException($"this client already serves '{service}'");
        }

        try
        {
            await ConfirmAsync(
                static (ref MessagePackWriter w, in (ulong Reference, string Service) s) => CommandWriter.WriteServe(ref w, s.Reference, s.Service),
                service,
                $"serve '{service}'",
                cancellationToken,
                _ => registration.Confirmed = true).ConfigureAwait(false);
        }
        catch
        {
            _tables.Services.TryRemove(service, out _);
            registration.Abort();
            throw;
        }

        return registration;
    }

    /// <summary>
    /// Typed serve: requests are read as <typeparamref name="TRequest"/> by their content type, and replies
    /// written from <typeparamref name="TReply"/> in the request's format when this client reads it, else in its own.
    /// </summary>
    public ValueTask<MqService> ServeAsync<TRequest, TReply>(string service, Func<TRequest, CancellationToken, ValueTask<TReply>> handler, ServeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return ServeAsync(
            service,
            async (request, ct) => request.SerializeReply(await handler(request.Deserialize<TRequest>(), ct).ConfigureAwait(false)),
            options,
            cancellationToken);
    }

    internal async ValueTask UnserveAsync(MqService service)
    {
        if (!_tables.Services.TryRemove(service.Name, out _))
        {
            return;
        }

        await ReleaseAsync(
            static (ref MessagePackWriter w, in (ulong Reference, string Service) s) => CommandWriter.WriteUnserve(ref w, s.Reference, s.Service),
            service.Name,
            $"stop serving '{service.Name}'").ConfigureAwait(false);
    }

    /// <summary>
    /// The caller gave up on request <paramref name="id"/>: unless its reply already came, the broker is told, and
    /// aborts it at the server. Nobody waits for this, so it skips the outbox's capacity check.
    /// </summary>
    private void CancelRemote(ulong id)
    {
        if (_tables.Pending.TryTakeRequest(id, out _) && Volatile.Read(ref _disposed) == 0 && State == ConnectionState.Connected
            && _outbox.WriteNow(static (ref MessagePackWriter w, in ulong rid) => CommandWriter.WriteCancel(ref w, rid), id))
        {
            _connection.SendOrWake();
        }
    }

    /// <summary>A handler finished with its request: the broker's ABORT and GRANTED for it have nothing left to reach.</summary>
    internal void EndServing(MqRequest request) => _tables.Serving.TryRemove(request.BrokerId, out _);

    internal async ValueTask SendPartAsync(MqRequest request, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        int limit = _connection.Session?.MaxPayloadBytes ?? _options.MaxPayloadBytes;
        if (payload.Length > limit)
        {
            throw new ArgumentException($"a part of {payload.Length} bytes exceeds the limit of {limit}", nameof(payload));
        }

        await WriteAsync(
            static (ref MessagePackWriter w, in (ulong Id, IReadOnlyDictionary<string, string>? Headers, ReadOnlyMemory<byte> Payload) s) =>
                CommandWriter.WriteRepPart(ref w, s.Id, s.Headers, s.Payload.Span),
            (request.BrokerId, headers, payload),
            cancellationToken).ConfigureAwait(false);
    }

    internal async ValueTask SendReplyAsync(MqRequest request, ErrorCode status, string? error, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> payload)
    {
        if (Volatile.Read(ref _disposed) != 0 || request.IsAborted)
        {
            // Nobody waits for it: the broker has forgotten the request.
            return;
        }

        int limit = _connection.Session?.MaxPayloadBytes ?? _options.MaxPayloadBytes;
        if (payload.Length > limit)
        {
            (status, error, headers, payload) = (ErrorCode.RemoteError, $"the reply of {payload.Length} bytes exceeds the limit of {limit}", null, default);
        }

        try
        {
            await WriteAsync(
                static (ref MessagePackWriter w, in (ulong Id, ErrorCode Status, string? Error, IReadOnlyDictionary<string, string>? Headers, ReadOnlyMemory<byte> Payload) s) =>
                    CommandWriter.WriteRep(ref w, s.Id, s.Status, s.Error, s.Headers, s.Payload.Span),
                (request.BrokerId, status, error, headers, payload),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while the handler ran: the broker answers the requester with "responder lost".
        }
    }
}
