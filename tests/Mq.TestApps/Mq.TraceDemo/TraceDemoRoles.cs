using System.Diagnostics;
using Mq.Client;
using Mq.Hosting;

namespace Mq.TraceDemo;

/// <summary>
/// The three peers: <c>request</c> asks <c>trace.demo</c>; <c>serve</c> answers it once, publishing <c>trace.done</c>
/// from its handler; <c>subscribe</c> receives <c>trace.done</c> once. Each starts a span of its own inside Mq's.
/// </summary>
public static class TraceDemoRoles
{
    public const string SourceName = "Mq.TraceDemo";

    public static readonly IReadOnlyList<string> Names = ["request", "serve", "subscribe"];

    private static readonly ActivitySource Source = new(SourceName);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static Task RunAsync(string role, MqClient client) => role switch
    {
        "request" => RequestAsync(client),
        "serve" => ServeAsync(client),
        _ => SubscribeAsync(client),
    };

    private static async Task RequestAsync(MqClient client)
    {
        using Activity? root = Source.StartActivity("demo.request");
        string reply = await client.RequestAsync<string, string>("trace.demo", "hello", new RequestOptions { Timeout = Patience });
        Console.WriteLine($"reply {reply}");
    }

    private static async Task ServeAsync(MqClient client)
    {
        var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        MqService service = await client.ServeAsync<string, string>("trace.demo", async (request, cancellationToken) =>
        {
            using Activity? work = Source.StartActivity("demo.work");
            await client.PublishAsync("trace.done", request, cancellationToken: cancellationToken);
            served.TrySetResult();
            return $"{request} back";
        });
        try
        {
            await ReadySignal.SendAsync();
            await served.Task.WaitAsync(Patience);
        }
        finally
        {
            // Waits for the handler, so its server span has ended.
            await service.DisposeAsync();
        }
    }

    private static async Task SubscribeAsync(MqClient client)
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        MqSubscription subscription = await client.SubscribeAsync<string>("trace.done", (text, message, _) =>
        {
            using Activity? handled = Source.StartActivity("demo.received");
            received.TrySetResult(text);
            return ValueTask.CompletedTask;
        });
        try
        {
            await ReadySignal.SendAsync();
            Console.WriteLine($"received {await received.Task.WaitAsync(Patience)}");
        }
        finally
        {
            // Waits for the handler loop, so its consumer span has ended.
            await subscription.DisposeAsync();
        }
    }
}
