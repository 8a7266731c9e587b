using System.Text;
using Mq.Broker.Persistence;

// Mq.StoreWriter DIRECTORY always|every50 [SEGMENT_KIB]: 8 appenders append "appender:n" payloads to stream "crash" until killed,
// printing "ack SEQ appender:n" once each append is acknowledged. A StoreWriteException (the disk refused) prints
// "full" and the acknowledged count, closes the store cleanly and exits 0: nothing acknowledged may be lost.
string directory = args[0];
FsyncPolicy fsync = args.Length > 1 && args[1] == "every50" ? FsyncPolicy.EveryMs(50) : FsyncPolicy.Always;
await using FileMessageStore store = await FileMessageStore.OpenAsync(new FileStoreOptions { Directory = directory });
IStreamStore stream = await store.OpenStreamAsync(new StreamOptions { Name = "crash", Fsync = fsync, SegmentBytes = (args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 64) * 1024 });
var output = new object();
long acknowledged = 0;
using var full = new CancellationTokenSource();
Console.Out.WriteLine("ready");
await Task.WhenAll(Enumerable.Range(0, 8).Select(appender => Task.Run(async () =>
{
    for (int n = 0; !full.IsCancellationRequested; n++)
    {
        string id = $"{appender}:{n}";
        try
        {
            ulong sequence = await stream.AppendAsync(new StreamMessage("crash.test", default, Encoding.UTF8.GetBytes(id)));
            lock (output)
            {
                acknowledged++;
                Console.Out.WriteLine($"ack {sequence} {id}");
            }
        }
        catch (StoreWriteException exception)
        {
            lock (output)
                Console.Out.WriteLine($"full {exception.GetType().Name}: {exception.Message}");
            await full.CancelAsync();
        }
    }
})));
Console.Out.WriteLine($"closed after {acknowledged} acknowledged");
