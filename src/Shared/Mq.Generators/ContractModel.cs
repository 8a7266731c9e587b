namespace Mq.Generators;

/// <summary>A contract to generate: the interface (namespace, name, fully qualified type), the contract's name and timeout, its methods.</summary>
internal sealed record ContractModel(
    string? Namespace,
    string InterfaceName,
    string Type,
    string Name,
    int TimeoutMilliseconds,
    EquatableArray<MethodModel> Methods)
{
    /// <summary>The generated file's name: unique per interface, even for nested ones.</summary>
    public string HintName => Type.Replace("global::", "").Replace('<', '_').Replace('>', '_') + ".MqContract.g.cs";
}
