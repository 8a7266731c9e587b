using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mq.Broker.Server;
using Mq.Configuration;

namespace Mq.Broker.Hosting;

public static class BrokerServiceCollectionExtensions
{
    /// <summary>
    /// Runs an Mq broker inside this host, configured from the "Broker" section. The start fails with an
    /// <see cref="OptionsValidationException"/> listing each unknown key (with the closest valid one), each value
    /// that does not parse, and each value out of range.
    /// </summary>
    public static IServiceCollection AddMqBroker(this IServiceCollection services, IConfiguration configuration)
    {
        IConfigurationSection section = configuration.GetSection(BrokerOptions.SectionName);
        services.AddOptions<BrokerOptions>()
            .Configure(options =>
            {
                // Before binding, which would ignore a misspelt key and throw a stack trace at a value it cannot convert.
                List<string> problems = SettingsCheck.Problems(typeof(BrokerOptions), section.Path, section.AsEnumerable(makePathsRelative: true));
                if (problems.Count > 0)
                {
                    throw new OptionsValidationException(Options.DefaultName, typeof(BrokerOptions), problems);
                }

                section.Bind(options);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>());
        services.AddSingleton<BrokerHostedService>();
        services.AddHostedService(provider => provider.GetRequiredService<BrokerHostedService>());
        return services;
    }
}
