namespace Mq.Generators;

/// <summary>What a contract method's parameter is to the call.</summary>
internal enum ParameterRole
{
    /// <summary>Serialized into the argument array.</summary>
    Argument,

    /// <summary>Cancels the call on both sides; not sent.</summary>
    Cancellation,

    /// <summary>Receives the server's reports; not sent.</summary>
    Progress,
}
