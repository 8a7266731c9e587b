namespace Mq.Broker.Security;

/// <summary>Allow and deny lists of subject or service patterns for one operation; deny wins.</summary>
public sealed record PolicyRule
{
    public IReadOnlyList<string> Allow { get; init; } = [];

    public IReadOnlyList<string> Deny { get; init; } = [];
}
