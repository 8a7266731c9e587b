using MessagePack;

namespace Mq.Client.Connection;

/// <summary>Writes one command; a static lambda plus a state value, so queuing a command allocates no closure.</summary>
internal delegate void CommandWrite<TState>(ref MessagePackWriter writer, in TState state);
