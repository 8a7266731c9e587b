using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mq.Client;

namespace Mq.Hosting;

public static class MqServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="MqClient"/> (a singleton, connected when the host starts), configured from
    /// <paramref name="configuration"/> (e.g. the "Mq" section) and validated at start. Add handlers on the returned builder.
    /// </summary>
    public static MqBuilder AddMq(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqOptions>().Bind(configuration, o => o.ErrorOnUnknownConfiguration = true).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => new MqClient(
            provider.GetRequiredService<IOptions<MqOptions>>().Value.ToClientOptions(),
            provider.GetService<ILoggerFactory>()));
        services.AddHostedService<MqHostedService>();
        return new MqBuilder(services);
    }
}
