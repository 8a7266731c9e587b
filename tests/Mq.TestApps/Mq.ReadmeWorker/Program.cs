using Mq.Hosting;

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddMq(builder.Configuration.GetSection("Mq"))   // Mq:Endpoint, Mq:Name, Mq:RequestTimeout, Mq:BrokerPublicKey...
    .AddSubscription<OrderCreatedHandler, OrderCreated>("orders.*.created", queueGroup: "billing")
    .AddService<QuoteService, string, double>("prices.quote");
await builder.Build().RunAsync();
