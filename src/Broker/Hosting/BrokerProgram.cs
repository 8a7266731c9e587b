using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Mq.Broker.Monitoring.Hosting;
using Mq.Broker.Server;
using Mq.Security;
using NetMQ;
using Serilog;
using Serilog.Events;

namespace Mq.Broker.Hosting;

/// <summary>Runs the broker as a hosted service with Serilog, until SIGTERM or Ctrl+C. Returns the process exit code.</summary>
public static class BrokerProgram
{
    /// <summary>A bad command line (an unknown option, say); also an unexpected failure.</summary>
    public const int BadArguments = 1;
    public const int CannotBind = 2;
    public const int InvalidConfiguration = 3;

    /// <summary>The store directory cannot be opened: a damaged file, a disk that refuses, or another broker using it.</summary>
    public const int StoreUnavailable = 4;

    /// <summary>The host's shutdown timeout; docker-compose.yml's stop_grace_period matches it.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        // Errors go to stderr, the rest to stdout, from the first line on.
        Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: null, standardErrorFromLevel: LogEventLevel.Error).CreateBootstrapLogger();
        try
        {
            if (BrokerArguments.Problem(args) is { } badArgument)
            {
                Log.Error("Mq broker: {Problem}", badArgument);
                return BadArguments;
            }

            // The content root is the executable's folder, not the working directory: appsettings.json is found
            // wherever the broker is started from (dotnet run from the repository root, a service manager...).
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
            if (BrokerArguments.ConfigFile(args) is { } file)
            {
                AddConfigFile(builder.Configuration, file);
            }

            builder.Configuration.AddEnvironmentVariables("MQ_");
            builder.Configuration.AddCommandLine(BrokerArguments.ExpandEndpoints(args), BrokerArguments.Switches.ToDictionary());
            if (LoggingProblem(builder.Configuration) is { } loggingProblem)
            {
                Log.Fatal("Mq broker configuration is invalid: {Errors}", loggingProblem);
                return InvalidConfiguration;
            }

            builder.Services.AddSerilog((services, logger) => logger
                .ReadFrom.Configuration(builder.Configuration)
                // A failed start is reported below in one line; the host's own report would add a stack trace.
                .MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", Serilog.Events.LogEventLevel.Fatal)
                .WriteTo.Console(
                    outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                    formatProvider: null,
                    standardErrorFromLevel: LogEventLevel.Error));
            builder.Services.AddMqBroker(builder.Configuration);
            builder.Services.AddMqBrokerMonitoring();
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
        catch (Mq.Broker.Persistence.StoreException ex)
        {
            // A damaged segment: the message names the file and what the operator can do.
            Log.Fatal("Mq broker cannot open its store: {Reason}", ex.Message);
            return StoreUnavailable;
        }
        catch (IOException ex) when (ex.Message.Contains("LOCK", StringComparison.Ordinal))
        {
            Log.Fatal("Mq broker cannot open its store: {Reason}", ex.Message);
            return StoreUnavailable;
        }
        catch (KeyFileException ex)
        {
            // The key file changed between validation and use.
            Log.Fatal("Mq broker configuration is invalid: {Errors}", ex.Message);
            return InvalidConfiguration;
        }
        catch (FileNotFoundException ex) when (ex.FileName is not null)
        {
            Log.Fatal("Mq broker configuration is invalid: the configuration file {File} does not exist", ex.FileName);
            return InvalidConfiguration;
        }
        catch (InvalidDataException ex)
        {
            // A configuration file that is not valid JSON.
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

    /// <summary>Serilog throws (a stack trace) at a level it does not know; the levels are the settings users edit.</summary>
    private static string? LoggingProblem(ConfigurationManager configuration)
    {
        foreach ((string key, string? value) in configuration.GetSection("Serilog:MinimumLevel").AsEnumerable())
        {
            // "$name" refers to a level switch; ControlledBy names one.
            if (value is not null && !value.StartsWith('$') && !key.EndsWith(":ControlledBy", StringComparison.OrdinalIgnoreCase)
                && !Enum.TryParse<LogEventLevel>(value, ignoreCase: true, out _))
            {
                return $"setting {key}: '{value}' is not a log level ({string.Join(", ", Enum.GetNames<LogEventLevel>())})";
            }
        }

        return null;
    }

    /// <summary>
    /// The file named by --config or MQ_CONFIG: after appsettings.json (it overrides it), before the environment
    /// and the command line (which override it). It must exist: a mistyped path is an error, not defaults.
    /// </summary>
    private static void AddConfigFile(ConfigurationManager configuration, string file)
    {
        string path = Path.GetFullPath(file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no configuration file {path}", path);
        }

        // Right after the host's files (appsettings.json, appsettings.{Environment}.json), so before its environment variables.
        IList<IConfigurationSource> sources = ((IConfigurationBuilder)configuration).Sources;
        int afterFiles = sources.ToList().FindLastIndex(s => s is FileConfigurationSource) + 1;
        var json = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
        json.ResolveFileProvider();
        sources.Insert(afterFiles, json);
    }
}
