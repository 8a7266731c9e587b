namespace Mq.Broker.Security;

/// <summary>What a role may do. An operation without a rule is denied.</summary>
public sealed record PolicyRole
{
    public PolicyRule Publish { get; init; } = new();

    public PolicyRule Subscribe { get; init; } = new();

    public PolicyRule Serve { get; init; } = new();

    public PolicyRule Request { get; init; } = new();
}
