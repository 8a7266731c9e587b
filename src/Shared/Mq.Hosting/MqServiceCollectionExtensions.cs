using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mq.Client;
using Mq.Configuration;

namespace Mq.Hosting;

public static class MqServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="MqClient"/> (a singleton, connected when the host starts), configured from
    /// <paramref name="configuration"/> (e.g. the "Mq" section) and validated at start. Add handlers on the returned builder.
    /// </summary>
    public static MqBuilder AddMq(this IServiceCollection services, IConfiguration configuration)
    {
        // Checked before binding: an unknown key or a value that does not parse is one line naming the key
        // (see MqHostedService), where the binder would ignore the one and throw a stack trace for the other.
        string section = (configuration as IConfigurationSection)?.Path ?? "";
        services.AddOptions<MqOptions>()
            .Configure(options =>
            {
                List<string> problems = SettingsCheck.Problems(typeof(MqOptions), section, configuration.AsEnumerable(makePathsRelative: true));
                if (problems.Count > 0)
                {
                    throw new OptionsValidationException(Options.DefaultName, typeof(MqOptions), problems);
                }

                configuration.Bind(options);
            })
            .ValidateDataAnnotations();
        services.AddSingleton(provider => new MqClient(
            provider.GetRequiredService<IOptions<MqOptions>>().Value.ToClientOptions(),
            provider.GetService<ILoggerFactory>()));
        services.AddHostedService<MqHostedService>();
        return new MqBuilder(services);
    }
}
