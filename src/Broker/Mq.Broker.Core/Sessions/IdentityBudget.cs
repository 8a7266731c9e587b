namespace Mq.Broker.Sessions;

/// <summary>
/// What one identity holds across all its connections, measured against the per-identity budgets. Without a
/// security policy every connection is its own identity and has a budget of its own.
/// </summary>
internal sealed class IdentityBudget(string? name)
{
    /// <summary>The identity's name, or null for a connection without one (security off).</summary>
    public string? Name { get; } = name;

    public int Connections { get; set; }

    public int Subscriptions { get; set; }

    /// <summary>The subscriptions' cost in bytes, as <see cref="Server.Budgets.SubscriptionCost"/> counts it.</summary>
    public long SubscriptionBytes { get; set; }

    public override string ToString() => Name is null ? "this connection (without a security policy each connection is its own identity)" : $"identity '{Name}'";
}
