using Mq.Hosting;
using Shop.Contracts;
using Shop.Worker;

// appsettings.json is read from beside the program, wherever it is started from (by default it would be the working directory).
HostApplicationBuilder builder = Host.CreateApplicationBuilder(
    new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddMq(builder.Configuration.GetSection("Mq"))
    .AddSubscription<OrderCreatedHandler, OrderCreated>(Subjects.OrdersCreated, queueGroup: "billing");
await builder.Build().RunAsync();
