namespace Mq.Benchmarks;

/// <summary>Receives one payload; returns false to end the receive loop.</summary>
internal delegate bool PayloadHandler(ReadOnlySpan<byte> payload);
