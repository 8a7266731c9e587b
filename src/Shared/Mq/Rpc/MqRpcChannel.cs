using System.ComponentModel;
using System.Runtime.CompilerServices;
using Mq.Client;
using Mq.Errors;
using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>
/// What a generated proxy calls through: one client, the contract's and the proxy's settings. Each call is a
/// request to the method's service; its errors are the request's, with "no responders" naming the method and a
/// declared fault thrown as its <see cref="MqFaultException{TDetail}"/>. For generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MqRpcChannel
{
    private readonly MqClient _client;
    private readonly RequestOptions _request;
    private readonly bool _capturing;
    private readonly IArgumentListSerializer _format;
    private (MqMethod Method, ReadOnlyMemory<byte> Arguments)? _captured;

    // capturing, for scatter-gather: the proxy's one call is kept, to be sent by GatherAsync, not sent.
    internal MqRpcChannel(MqClient client, string contract, TimeSpan? contractTimeout, string? contractContentType, ProxyOptions options, bool capturing = false)
    {
        _client = client;
        _capturing = capturing;
        _format = Format(client.Serializers, contract, contractContentType, options.Serializer);

        // Built once per proxy, so a call allocates no headers of its own.
        var headers = new Dictionary<string, string>(options.Headers ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [MqContentTypes.Header] = _format.ContentType };
        _request = new RequestOptions { Timeout = options.Timeout ?? contractTimeout, Headers = headers.AsReadOnly() };
    }

    /// <summary>A writer for one call's arguments, in the proxy's content type.</summary>
    public MqArgumentWriter Arguments(int count) => _format.CreateWriter(count);

    /// <summary>A call whose method returns nothing.</summary>
    public async ValueTask CallAsync(MqMethod method, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken) =>
        await RequestAsync(method, arguments, cancellationToken).ConfigureAwait(false);

    /// <summary>A call whose method returns a <typeparamref name="T"/>.</summary>
    public async ValueTask<T> CallAsync<T>(MqMethod method, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (_capturing)
        {
            Capture(method, arguments);
            return default!;
        }

        return Read<T>(await RequestAsync(method, arguments, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A call whose method returns nothing and reports progress: the reply's parts are the reports.</summary>
    public async ValueTask CallWithProgressAsync<TProgress>(MqMethod method, ReadOnlyMemory<byte> arguments, IProgress<TProgress>? progress, CancellationToken cancellationToken) =>
        await ReportAsync(method, arguments, progress, cancellationToken).ConfigureAwait(false);

    /// <summary>A call whose method returns a <typeparamref name="T"/> and reports progress.</summary>
    public async ValueTask<T> CallWithProgressAsync<T, TProgress>(MqMethod method, ReadOnlyMemory<byte> arguments, IProgress<TProgress>? progress, CancellationToken cancellationToken)
    {
        if (_capturing)
        {
            throw new NotSupportedException($"'{method.Service}' reports progress: scatter-gather calls a method that returns one result and reports nothing");
        }

        return Read<T>(await ReportAsync(method, arguments, progress, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Sends the captured call to every server of its method and yields each answer as it arrives: the result, or with
    /// <see cref="RequestManyOptions.IncludeFailures"/> the error a proxy call would have thrown.
    /// </summary>
    internal async IAsyncEnumerable<MqGathered<T>> GatherAsync<T>(RequestManyOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        (MqMethod method, ReadOnlyMemory<byte> arguments) = _captured ?? throw new InvalidOperationException("nothing was captured");
        var headers = new Dictionary<string, string>(_request.Headers!, StringComparer.Ordinal);
        foreach ((string key, string value) in options.Headers ?? new Dictionary<string, string>())
        {
            headers[key] = value;
        }

        RequestManyOptions ask = options with { Headers = headers, Timeout = options.Timeout ?? _request.Timeout, IncludeFailures = true };
        IAsyncEnumerator<MqReply> replies = _client.RequestManyAsync(method.Service, arguments, ask, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await NextAsync(method, replies).ConfigureAwait(false) is { } reply)
            {
                if (reply.Failure is null)
                {
                    yield return new MqGathered<T>(reply.Responder, Read<T>(reply), null);
                }
                else if (options.IncludeFailures)
                {
                    yield return new MqGathered<T>(reply.Responder, default!, Translate(method, reply.Failure) ?? reply.Failure);
                }
            }
        }
        finally
        {
            await replies.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal bool HasCaptured => _captured is not null;

    private void Capture(MqMethod method, ReadOnlyMemory<byte> arguments)
    {
        if (_captured is not null)
        {
            throw new InvalidOperationException($"a scatter-gather call makes one call; '{method.Service}' is a second one");
        }

        _captured = (method, arguments);
    }

    /// <summary>
    /// A call whose method returns <see cref="IAsyncEnumerable{T}"/>: each part of the reply is an item, read with
    /// flow control; breaking out or disposing the enumeration cancels the server's.
    /// </summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(MqMethod method, ReadOnlyMemory<byte> arguments, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<MqReply> parts = _client.RequestStreamAsync(method.Service, arguments, _request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await NextAsync(method, parts).ConfigureAwait(false) is { IsFinal: false } part)
            {
                yield return Read<T>(part);
            }
        }
        finally
        {
            await parts.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<MqReply> ReportAsync<TProgress>(MqMethod method, ReadOnlyMemory<byte> arguments, IProgress<TProgress>? progress, CancellationToken cancellationToken)
    {
        // Streamed even without a progress to report to: the server sends its reports as parts either way.
        IAsyncEnumerator<MqReply> parts = _client.RequestStreamAsync(method.Service, arguments, _request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                MqReply part = await NextAsync(method, parts).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"the reply of '{method.Service}' ended without its final part");
                if (part.IsFinal)
                {
                    return part;
                }

                progress?.Report(Read<TProgress>(part));
            }
        }
        finally
        {
            await parts.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<MqReply> RequestAsync(MqMethod method, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.RequestAsync(method.Service, arguments, _request, cancellationToken).ConfigureAwait(false);
        }
        catch (MqException ex) when (Translate(method, ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The next part, null at the end; errors as <see cref="RequestAsync"/> gives them (an iterator cannot catch around a yield).</summary>
    private async ValueTask<MqReply?> NextAsync(MqMethod method, IAsyncEnumerator<MqReply> parts)
    {
        try
        {
            return await parts.MoveNextAsync().ConfigureAwait(false) ? parts.Current : null;
        }
        catch (MqException ex) when (Translate(method, ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The error in the contract's terms, or null to let it through as it is.</summary>
    private MqException? Translate(MqMethod method, MqException error) => error switch
    {
        NoRespondersException noResponders => method.NoResponders(noResponders),
        RemoteErrorException { FaultType: { } type } remote when method.FindFault(type) is { } fault => fault.Create(remote, _format),
        _ => null,
    };

    /// <summary>A result, item or report, read by its own content type: the server answers in the call's.</summary>
    private static T Read<T>(MqReply reply) => reply.Deserialize<T>();

    /// <summary>The proxy's choice, else the contract's, else the client's serializer when it can carry arguments, else MessagePack.</summary>
    private static IArgumentListSerializer Format(SerializerRegistry serializers, string contract, string? contractContentType, IMqSerializer? chosen)
    {
        if (chosen is not null)
        {
            return chosen as IArgumentListSerializer ?? throw new ArgumentException(
                $"{chosen.GetType().Name} ({chosen.ContentType}) cannot carry a remote object call's arguments: use MessagePackMqSerializer, JsonMqSerializer or XmlMqSerializer", nameof(chosen));
        }

        if (contractContentType is not null)
        {
            return serializers.ArgumentsFor(contractContentType) ?? throw new InvalidOperationException(
                $"contract '{contract}' is called in {contractContentType}, which this client cannot write arguments in (it writes {MqContentTypes.MessagePack}, {MqContentTypes.Json} and {MqContentTypes.Xml})");
        }

        return serializers.DefaultArguments;
    }
}
