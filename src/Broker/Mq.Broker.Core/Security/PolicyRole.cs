namespace Mq.Broker.Security;

/// <summary>What a role may do. An operation without a rule is denied.</summary>
public sealed record PolicyRole
{
    public PolicyRule Publish { get; init; } = new();

    public PolicyRule Subscribe { get; init; } = new();

    public PolicyRule Serve { get; init; } = new();

    public PolicyRule Request { get; init; } = new();

    /// <summary>
    /// Which subscription patterns may ask for flow control (a window), checked like <see cref="Subscribe"/>.
    /// Flow control lets a subscriber hold publishers back, so a role without this rule may not use it.
    /// </summary>
    public PolicyRule FlowControl { get; init; } = new();
}
