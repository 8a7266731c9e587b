namespace Mq.StoreBenchmarks;

/// <summary>One measured case: how many messages in how long, and for a replay how long the reopen before it took.</summary>
internal readonly record struct Timing(long Messages, TimeSpan Elapsed, TimeSpan? Open);
