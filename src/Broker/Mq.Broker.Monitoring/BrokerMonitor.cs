using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mq.Broker.Monitoring.Http;
using Mq.Broker.Server;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Mq.Broker.Monitoring;

/// <summary>
/// The HTTP monitoring endpoint of one <see cref="BrokerServer"/>: <c>/healthz</c>, Prometheus <c>/metrics</c>,
/// <c>/api/info|stats|peers|subs|services</c> (the $SYS replies as JSON), <c>/api/live</c> (server-sent events)
/// and the dashboard at <c>/</c>. Its own small Kestrel server, so any process can add it to a broker;
/// docs/observability.md describes what it serves and docs/security.md what that exposes.
/// </summary>
public sealed partial class BrokerMonitor : IAsyncDisposable
{
    private static readonly string[] Services = [SystemServices.Info, SystemServices.Stats, SystemServices.Peers, SystemServices.Subs, SystemServices.Services];

    private readonly WebApplication _app;
    private readonly ILogger<BrokerMonitor> _logger;
    private int _disposed;

    private BrokerMonitor(WebApplication app, Uri address, ILogger<BrokerMonitor> logger)
    {
        _app = app;
        Address = address;
        _logger = logger;
    }

    /// <summary>Where the endpoint listens, with the real port when port 0 was asked for: <c>http://127.0.0.1:8222/</c>.</summary>
    public Uri Address { get; }

    /// <summary>
    /// Serves <paramref name="broker"/>'s monitoring on <see cref="BrokerMonitoringOptions.Address"/>. Throws
    /// <see cref="ArgumentException"/> for options that are off or invalid, <see cref="BrokerBindException"/> if the
    /// address cannot be bound.
    /// </summary>
    public static async Task<BrokerMonitor> StartAsync(BrokerServer broker, BrokerMonitoringOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(broker);
        string? problem = options.Enabled ? options.Problem() : "Broker:Monitoring:Address is not set";
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        IPEndPoint endPoint = options.EndPoint();
        WebApplication app = Build(broker, options, endPoint, loggerFactory);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync();
            throw new BrokerBindException($"http://{options.Address}", ex);
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var monitor = new BrokerMonitor(app, new Uri(bound + "/"), loggerFactory.CreateLogger<BrokerMonitor>());
        monitor.LogListening(monitor.Address);
        return monitor;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static WebApplication Build(BrokerServer broker, BrokerMonitoringOptions options, IPEndPoint endPoint, ILoggerFactory loggerFactory)
    {
        // The empty builder reads no configuration files and no environment: everything here comes from the options.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(BrokerMonitor).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<LoopbackGuard>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(broker.Name))
            .WithMetrics(metrics => metrics.AddMeter(BrokerServer.MeterName).AddPrometheusExporter());

        WebApplication app = builder.Build();
        if (!options.AllowRemote)
        {
            LoopbackGuard guard = app.Services.GetRequiredService<LoopbackGuard>();
            app.Use(guard.InvokeAsync);
        }

        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/healthz", (CancellationToken ct) => Health.BothAsync(broker, ct));
        app.MapGet("/healthz/live", (CancellationToken ct) => Health.LiveOnlyAsync(broker, ct));
        app.MapGet("/healthz/ready", (CancellationToken ct) => Health.ReadyOnlyAsync(broker, ct));
        foreach (string service in Services)
        {
            app.MapGet("/api/" + service["$SYS.".Length..], (CancellationToken ct) => JsonAsync(broker, service, ct));
        }

        var live = new LiveStream(app.Lifetime.ApplicationStopping);
        app.MapGet("/api/live", (HttpContext context) => live.RunAsync(context, broker));
        foreach (string path in DashboardAssets.Paths)
        {
            app.MapGet(path, DashboardAssets.Serve);
        }

        return app;
    }

    private static async Task<IResult> JsonAsync(BrokerServer broker, string service, CancellationToken cancellationToken)
    {
        try
        {
            return Results.Text(await SystemQuery.JsonAsync(broker, service, cancellationToken), "application/json");
        }
        catch (BrokerUnavailableException ex)
        {
            return Results.Text(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitoring on {Address} (dashboard /, metrics /metrics, health /healthz)")]
    private partial void LogListening(Uri address);
}
