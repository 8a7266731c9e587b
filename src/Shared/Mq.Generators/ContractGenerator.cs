using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Mq.Generators;

/// <summary>
/// Generates, for each interface marked [MqContract], its proxy and dispatcher and registers both at module load,
/// and reports contract signatures that cannot travel, and non-contracts handed to the APIs that need one.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ContractGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ContractResult> contracts = context.SyntaxProvider.ForAttributeWithMetadataName(
            ContractReader.ContractAttribute,
            static (node, _) => node is InterfaceDeclarationSyntax,
            static (attributed, cancellationToken) => ContractReader.Read((INamedTypeSymbol)attributed.TargetSymbol, attributed.Attributes[0], cancellationToken));

        context.RegisterSourceOutput(contracts, static (output, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (result.Contract is { } contract)
            {
                output.AddSource(contract.HintName, ContractEmitter.Emit(contract));
            }
        });

        IncrementalValuesProvider<DiagnosticInfo> misuses = context.SyntaxProvider.CreateSyntaxProvider(
                static (node, _) => UsageCheck.MayUseContract(node),
                static (syntax, cancellationToken) => UsageCheck.Check(syntax, cancellationToken))
            .Where(static diagnostic => diagnostic is not null)
            .Select(static (diagnostic, _) => diagnostic!);
        context.RegisterSourceOutput(misuses, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));
    }
}
