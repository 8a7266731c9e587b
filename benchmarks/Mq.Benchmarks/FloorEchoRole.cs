using NetMQ;
using NetMQ.Sockets;

namespace Mq.Benchmarks;

/// <summary>The echo server of the "netmq" floor: one DEALER, blocking, each request's payload sent straight back.</summary>
internal static class FloorEchoRole
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static int Run(string endpoint, TimeSpan deadline)
    {
        using var signals = new RoleSignals(deadline);
        using var dealer = new DealerSocket();
        dealer.Connect(endpoint);
        dealer.SendFrame("S");
        var frames = new List<byte[]>(2);
        bool announced = false;
        while (!signals.Token.IsCancellationRequested)
        {
            if (!dealer.TryReceiveMultipartBytes(Poll, ref frames))
            {
                continue;
            }

            if (!announced && frames is [[(byte)'K']])
            {
                announced = true;
                Console.WriteLine("ready");
            }
            else if (frames.Count == 2)
            {
                dealer.SendMoreFrame(frames[0]).SendFrame(frames[1]);
            }
        }

        Console.WriteLine("result outcome=stopped");
        return 0;
    }
}
