using Microsoft.Extensions.DependencyInjection;

namespace Mq.Broker.Monitoring.Hosting;

public static class BrokerMonitoringServiceCollectionExtensions
{
    /// <summary>
    /// Serves the HTTP monitoring endpoint of the broker that <c>AddMqBroker</c> added (call this after it), when
    /// <c>Broker:Monitoring:Address</c> is set; otherwise does nothing. The options are the broker's, validated
    /// with it at start.
    /// </summary>
    public static IServiceCollection AddMqBrokerMonitoring(this IServiceCollection services)
    {
        services.AddSingleton<BrokerMonitoringHostedService>();
        services.AddHostedService(provider => provider.GetRequiredService<BrokerMonitoringHostedService>());
        return services;
    }
}
