using Mq.Client;

namespace Mq.Rpc;

/// <summary>Serves an object: each method of its contract as its own service, every call on a leased object.</summary>
internal static class ObjectServing
{
    public static async ValueTask<MqObjectService> ServeAsync<TContract>(MqClient client, Func<MqObjectLease<TContract>> rent, ServeOptions? options, CancellationToken cancellationToken)
        where TContract : class
    {
        MqContract<TContract> contract = MqContracts.Get<TContract>();
        var host = new MqObjectHost<TContract>(rent, client.Options.SerializerOptions);
        var services = new List<MqService>(contract.Methods.Count);
        try
        {
            foreach (MqMethodHandler<TContract> method in contract.Methods)
            {
                Func<MqObjectHost<TContract>, MqRequest, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handle = method.Handle;
                services.Add(await client.ServeAsync(method.Method.Service, (request, ct) => handle(host, request, ct), options, cancellationToken).ConfigureAwait(false));
            }
        }
        catch
        {
            // All or nothing: a method that cannot be served (refused by the policy, say) takes the others down with it.
            await MqObjectService.StopAsync(services).ConfigureAwait(false);
            throw;
        }

        return new MqObjectService(contract.Name, [.. services]);
    }
}
