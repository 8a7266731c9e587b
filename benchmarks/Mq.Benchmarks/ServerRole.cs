namespace Mq.Benchmarks;

/// <summary>An echo server process for W3 and W4: serves, prints "ready", and runs until told to stop.</summary>
internal static class ServerRole
{
    public static async Task<int> RunAsync(string system, string endpoint, string service, TimeSpan deadline)
    {
        using var signals = new RoleSignals(deadline);
        await using IBenchTransport transport = await Transports.ConnectAsync(system, endpoint, $"bench-server-{Environment.ProcessId}", signals.Token);
        await using (await transport.ServeEchoAsync(service, signals.Token))
        {
            Console.WriteLine("ready");
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, signals.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopped by the parent or by the deadline: both are the normal end.
            }
        }

        Console.WriteLine("result outcome=stopped");
        return 0;
    }
}
