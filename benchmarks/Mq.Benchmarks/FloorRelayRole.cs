using NetMQ;
using NetMQ.Sockets;

namespace Mq.Benchmarks;

/// <summary>
/// The thinnest request/reply broker NetMQ allows, for the "netmq" floor: one ROUTER socket on one thread,
/// blocking receive and send, no protocol, no handshake, no deadlines, one echo server. Mq's broker does what this
/// does plus everything a broker must; the gap between the two is what Mq costs over its transport.
/// </summary>
internal static class FloorRelayRole
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static int Run(TimeSpan deadline)
    {
        // The same socket setting as Mq's broker executable, so the floor and Mq differ only in what they do.
        Mq.Hosting.InlineSocketCompletions.Enable();
        using var signals = new RoleSignals(deadline);
        using var router = new RouterSocket();
        router.Options.RouterMandatory = true;
        int port = router.BindRandomPort("tcp://127.0.0.1");
        Console.WriteLine($"ready tcp://127.0.0.1:{port}");
        byte[]? server = null;
        long relayed = 0;
        var frames = new List<byte[]>(3);
        while (!signals.Token.IsCancellationRequested)
        {
            if (!router.TryReceiveMultipartBytes(Poll, ref frames))
            {
                continue;
            }

            switch (frames.Count)
            {
                case 2 when frames[1] is [(byte)'S']:
                    // The echo server announces itself; the acknowledgement tells it that requests can come.
                    server = frames[0];
                    router.SendMoreFrame(server).SendFrame("K");
                    break;
                case 2 when server is not null:
                    // A request: [requester][payload] goes to the server as [server][requester][payload].
                    router.SendMoreFrame(server).SendMoreFrame(frames[0]).SendFrame(frames[1]);
                    relayed++;
                    break;
                case 3 when server is not null && frames[0].AsSpan().SequenceEqual(server):
                    // A reply: [server][requester][payload] goes back as [requester][payload].
                    router.SendMoreFrame(frames[1]).SendFrame(frames[2]);
                    relayed++;
                    break;
                default:
                    Console.Error.WriteLine($"floor relay: unexpected message of {frames.Count} frames, ignored");
                    break;
            }
        }

        Console.WriteLine($"result outcome=stopped relayed={relayed}");
        return 0;
    }
}
