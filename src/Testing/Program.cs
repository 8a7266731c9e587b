namespace Mq.Testing;

/// <summary>The entry point of the kit's broker process (<see cref="BrokerHost"/>); a test never calls it.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => BrokerHost.RunAsync(args);
}
