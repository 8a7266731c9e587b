using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mq.Broker.Server;

namespace Mq.Broker.Hosting;

public static class BrokerServiceCollectionExtensions
{
    /// <summary>Runs an Mq broker inside this host, configured from the "Broker" section.</summary>
    public static IServiceCollection AddMqBroker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BrokerOptions>().Bind(configuration.GetSection(BrokerOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>());
        services.AddSingleton<BrokerHostedService>();
        services.AddHostedService(provider => provider.GetRequiredService<BrokerHostedService>());
        return services;
    }
}
