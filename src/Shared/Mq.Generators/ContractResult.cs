namespace Mq.Generators;

/// <summary>What reading one [MqContract] interface gave: the model to generate (none if it has errors) and the diagnostics.</summary>
internal sealed record ContractResult(ContractModel? Contract, EquatableArray<DiagnosticInfo> Diagnostics);
