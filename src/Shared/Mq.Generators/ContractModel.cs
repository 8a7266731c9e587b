namespace Mq.Generators;

/// <summary>A contract to generate: the interface (namespace, name, fully qualified type), the contract's name, timeout and content type, its methods.</summary>
internal sealed record ContractModel(
    string? Namespace,
    string InterfaceName,
    string Type,
    string Name,
    int TimeoutMilliseconds,
    string? ContentType,
    EquatableArray<MethodModel> Methods)
{
    /// <summary>The generated file's name: unique per interface, even for nested ones.</summary>
    public string HintName => Type.Replace("global::", "").Replace('<', '_').Replace('>', '_') + ".MqContract.g.cs";
}
