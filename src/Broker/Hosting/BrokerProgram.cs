using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Mq.Broker.Server;
using Mq.Security;
using NetMQ;
using Serilog;

namespace Mq.Broker.Hosting;

/// <summary>Runs the broker as a hosted service with Serilog, until SIGTERM or Ctrl+C. Returns the process exit code.</summary>
public static class BrokerProgram
{
    public const int CannotBind = 2;
    public const int InvalidConfiguration = 3;

    /// <summary>The host's shutdown timeout; docker-compose.yml's stop_grace_period matches it.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: null).CreateBootstrapLogger();
        try
        {
            var switches = new Dictionary<string, string>
            {
                ["--endpoint"] = "Broker:Endpoint",
                ["--name"] = "Broker:Name",
            };
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
            builder.Configuration.AddEnvironmentVariables("MQ_");
            builder.Configuration.AddCommandLine(args, switches);
            builder.Services.AddSerilog((services, logger) => logger
                .ReadFrom.Configuration(builder.Configuration)
                // A failed start is reported below in one line; the host's own report would add a stack trace.
                .MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", Serilog.Events.LogEventLevel.Fatal)
                .WriteTo.Console(
                    outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                    formatProvider: null));
            builder.Services.AddMqBroker(builder.Configuration);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);

            using IHost host = builder.Build();
            await host.RunAsync();
            return 0;
        }
        catch (BrokerBindException ex)
        {
            Log.Fatal("Mq broker cannot start: {Reason}", ex.Message);
            return CannotBind;
        }
        catch (KeyFileException ex)
        {
            // The key file changed between validation and use.
            Log.Fatal("Mq broker configuration is invalid: {Errors}", ex.Message);
            return InvalidConfiguration;
        }
        catch (OptionsValidationException ex)
        {
            Log.Fatal("Mq broker configuration is invalid: {Errors}", string.Join("; ", ex.Failures));
            return InvalidConfiguration;
        }
        catch (Exception ex)
        {
            Log.Fatal(ex, "Mq broker stopped unexpectedly");
            return 1;
        }
        finally
        {
            NetMQConfig.Cleanup(block: false);
            await Log.CloseAndFlushAsync();
        }
    }
}
