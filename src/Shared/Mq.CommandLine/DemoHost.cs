using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mq.Client;
using Serilog;

namespace Mq.CommandLine;

/// <summary>
/// The long-running demo mode of both peers: a Microsoft.Extensions.Hosting worker built on Mq's hosting
/// integration, logging with Serilog to stdout. It handles SIGTERM and Ctrl+C itself (see <see cref="CliProgram"/>).
/// </summary>
internal static class DemoHost
{
    public const string CommandName = "demo";

    /// <summary>Matches compose's stop_grace_period: the host gets this long to drain on SIGTERM.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A host whose MqClient is configured from the command line (and <c>Mq__*</c> environment variables).</summary>
    public static HostApplicationBuilder CreateBuilder(MqClientOptions client)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration["Mq:Endpoint"] = client.Endpoint;
        builder.Configuration["Mq:Name"] = client.Name;
        builder.Configuration["Mq:ConnectTimeout"] = client.ConnectTimeout.ToString();
        builder.Configuration["Mq:BrokerPublicKey"] = client.BrokerPublicKey;
        builder.Services.AddSerilog(logger => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}", formatProvider: null));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        return builder;
    }

    /// <summary>Runs the host until SIGTERM/Ctrl+C (or until a worker stops it); start failures become the usual one-line errors.</summary>
    public static async Task<int> RunAsync(IHost host, CancellationToken cancellationToken)
    {
        try
        {
            await host.RunAsync(cancellationToken);
            return Environment.ExitCode;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
