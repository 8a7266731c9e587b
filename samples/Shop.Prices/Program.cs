using Mq.Hosting;
using Shop.Contracts;
using Shop.Prices;

// appsettings.json is read from beside the program, wherever it is started from (by default it would be the working directory).
HostApplicationBuilder builder = Host.CreateApplicationBuilder(
    new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddMq(builder.Configuration.GetSection("Mq"))
    .AddService<QuoteService, QuoteRequest, Quote>(Subjects.PriceQuote)
    .AddRemoteObject<IStock, StockService>();
await builder.Build().RunAsync();
