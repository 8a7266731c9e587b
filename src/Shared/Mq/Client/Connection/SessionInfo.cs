namespace Mq.Client.Connection;

/// <summary>What the broker announced in WELCOME.</summary>
internal sealed record SessionInfo(int Version, string PeerId, string Broker, long HeartbeatMs, long TimeoutMs, int MaxPayloadBytes);
