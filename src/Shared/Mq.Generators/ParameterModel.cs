namespace Mq.Generators;

/// <summary>
/// One parameter: its name, fully qualified type, role, its position in the argument array (arguments only),
/// its default as C# source (optional parameters) and, for an IProgress&lt;T&gt;, the report type T.
/// </summary>
internal sealed record ParameterModel(string Name, string Type, ParameterRole Role, int ArgumentIndex, string? DefaultValue, string? ProgressType);
