using Mq.Hosting;
using Mq.RpcServer;

// Serves IWorkbench with a DI scope per call; Mq__Endpoint (set by the test kit) names the broker.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddMq(builder.Configuration.GetSection("Mq"))
    .AddRemoteObject<IWorkbench, Workbench>();
await builder.Build().RunAsync();
