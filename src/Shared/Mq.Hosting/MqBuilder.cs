using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mq.Client;
using Mq.Rpc;

namespace Mq.Hosting;

/// <summary>Adds subscriptions, services and remote objects, each handled by a class resolved from DI with a scope per message or call.</summary>
public sealed class MqBuilder
{
    internal MqBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    /// <summary>Runs <typeparamref name="THandler"/> for each message matching <paramref name="pattern"/>.</summary>
    public MqBuilder AddSubscription<THandler>(string pattern, string? queueGroup = null)
        where THandler : class, IMqMessageHandler =>
        AddSubscription<THandler>(pattern, new SubscribeOptions { QueueGroup = queueGroup });

    /// <summary>Runs <typeparamref name="THandler"/> for each message, subscribed with <paramref name="options"/> (queue group, flow control).</summary>
    public MqBuilder AddSubscription<THandler>(string pattern, SubscribeOptions options)
        where THandler : class, IMqMessageHandler
    {
        Services.TryAddScoped<THandler>();
        return Add($"subscription '{pattern}'", (client, scopes, ct) => Subscribe(client, pattern, options, async (message, token) =>
        {
            await using AsyncServiceScope scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(message, token);
        }, ct));
    }

    /// <summary>Runs <typeparamref name="THandler"/> for each message, its payload deserialized as <typeparamref name="T"/>.</summary>
    public MqBuilder AddSubscription<THandler, T>(string pattern, string? queueGroup = null)
        where THandler : class, IMqMessageHandler<T> =>
        AddSubscription<THandler, T>(pattern, new SubscribeOptions { QueueGroup = queueGroup });

    /// <summary>Runs <typeparamref name="THandler"/> for each message deserialized as <typeparamref name="T"/>, subscribed with <paramref name="options"/>.</summary>
    public MqBuilder AddSubscription<THandler, T>(string pattern, SubscribeOptions options)
        where THandler : class, IMqMessageHandler<T>
    {
        Services.TryAddScoped<THandler>();
        return Add($"subscription '{pattern}'", (client, scopes, ct) => Subscribe(client, pattern, options, async (message, token) =>
        {
            T payload = message.Deserialize<T>();
            await using AsyncServiceScope scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(payload, message, token);
        }, ct));
    }

    /// <summary>Serves <paramref name="service"/> with <typeparamref name="THandler"/>; its exceptions reach requesters as remote errors.</summary>
    public MqBuilder AddService<THandler, TRequest, TReply>(string service, ServeOptions? options = null)
        where THandler : class, IMqRequestHandler<TRequest, TReply>
    {
        Services.TryAddScoped<THandler>();
        return Add($"service '{service}'", async (client, scopes, ct) => await client.ServeAsync(
            service,
            async (request, token) =>
            {
                await using AsyncServiceScope scope = scopes.CreateAsyncScope();
                TReply reply = await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(request.Deserialize<TRequest>(), request, token);
                return request.SerializeReply(reply);
            },
            options,
            ct));
    }

    /// <summary>
    /// Serves contract <typeparamref name="TContract"/> with <typeparamref name="TImplementation"/>, resolved from DI
    /// in a fresh scope for every call (disposed when the call, or its stream, is over).
    /// </summary>
    public MqBuilder AddRemoteObject<TContract, TImplementation>(ServeOptions? options = null)
        where TContract : class
        where TImplementation : class, TContract
    {
        Services.TryAddScoped<TImplementation>();
        return Add($"remote object {typeof(TContract).Name}", async (client, scopes, ct) => await client.ServeObjectAsync(
            () =>
            {
                AsyncServiceScope scope = scopes.CreateAsyncScope();
                return new MqObjectLease<TContract>(scope.ServiceProvider.GetRequiredService<TImplementation>(), scope);
            },
            options,
            ct));
    }

    /// <summary>Registers a proxy for contract <typeparamref name="TContract"/> (a singleton calling through the host's client) for injection.</summary>
    public MqBuilder AddRemoteProxy<TContract>(ProxyOptions? options = null)
        where TContract : class
    {
        Services.TryAddSingleton(provider => provider.GetRequiredService<MqClient>().CreateProxy<TContract>(options));
        return this;
    }

    private static async ValueTask<IAsyncDisposable> Subscribe(MqClient client, string pattern, SubscribeOptions options, Func<MqMessage, CancellationToken, ValueTask> handler, CancellationToken cancellationToken) =>
        await client.SubscribeAsync(pattern, handler, options, cancellationToken);

    private MqBuilder Add(string description, Func<MqClient, IServiceScopeFactory, CancellationToken, ValueTask<IAsyncDisposable>> open)
    {
        Services.AddSingleton(new MqRegistration(description, open));
        return this;
    }
}
