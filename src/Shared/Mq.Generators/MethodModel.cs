namespace Mq.Generators;

/// <summary>
/// One contract method: its C# name, its name on the wire (without the Async suffix), the interface declaring it,
/// what it returns (the full type and the result or item type), its parameters and declared fault types.
/// </summary>
internal sealed record MethodModel(
    string Name,
    string WireName,
    string DeclaringInterface,
    ReturnKind Kind,
    string ReturnType,
    string? ResultType,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<string> Faults)
{
    public int ArgumentCount => Parameters.Count(p => p.Role == ParameterRole.Argument);
}
