using System.Diagnostics;
using Mq.Client;
using Mq.Diagnostics;
using Mq.TraceDemo;
using OpenTelemetry;
using OpenTelemetry.Trace;

if (args is not [string role] || !TraceDemoRoles.Names.Contains(role))
{
    await Console.Error.WriteLineAsync($"usage: Mq.TraceDemo {string.Join('|', TraceDemoRoles.Names)} (the broker in MQ_BROKER)");
    return 2;
}

string endpoint = Environment.GetEnvironmentVariable("MQ_BROKER") ?? "tcp://127.0.0.1:5555";
var spans = new List<Activity>();
using (TracerProvider provider = Sdk.CreateTracerProviderBuilder()
    .AddSource(MqDiagnostics.ActivitySourceName, TraceDemoRoles.SourceName)
    .AddInMemoryExporter(spans)
    .Build())
{
    // Disposed before the provider: every span has ended by then.
    await using MqClient client = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = endpoint, Name = $"trace-{role}" });
    await TraceDemoRoles.RunAsync(role, client);
}

foreach (Activity span in spans)
{
    Console.WriteLine(SpanLine.Prefix + SpanLine.From(span).ToJson());
}

return 0;
