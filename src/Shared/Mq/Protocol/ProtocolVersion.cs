namespace Mq.Protocol;

/// <summary>Protocol versions. A peer picks the highest version both sides list; see docs/protocol.md.</summary>
public static class ProtocolVersion
{
    public const int Current = 1;

    /// <summary>What this build speaks, lowest first.</summary>
    public static readonly IReadOnlyList<int> Supported = [1];
}
