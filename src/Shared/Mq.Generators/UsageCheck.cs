using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Mq.Generators;

/// <summary>
/// Finds calls that need an Mq contract as their first type argument (<c>CreateProxy</c>, <c>ServeObjectAsync</c>,
/// <c>AddRemoteObject</c>, <c>AddRemoteProxy</c>) given something else, which would fail only at run time.
/// </summary>
internal static class UsageCheck
{
    private static readonly ImmutableHashSet<string> Methods = ImmutableHashSet.Create("CreateProxy", "ServeObjectAsync", "AddRemoteObject", "AddRemoteProxy");
    private static readonly ImmutableHashSet<string> Owners = ImmutableHashSet.Create("Mq.Client.MqClient", "Mq.Hosting.MqBuilder");

    public static bool MayUseContract(SyntaxNode node) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name: SimpleNameSyntax name } } && Methods.Contains(name.Identifier.ValueText);

    public static DiagnosticInfo? Check(GeneratorSyntaxContext syntax, CancellationToken cancellationToken)
    {
        if (syntax.SemanticModel.GetSymbolInfo(syntax.Node, cancellationToken).Symbol is not IMethodSymbol { TypeArguments.Length: > 0 } method
            || method.ContainingType is null
            || !Owners.Contains(method.ContainingType.ToDisplayString()))
        {
            return null;
        }

        ITypeSymbol contract = method.TypeArguments[0];
        bool isContract = contract.TypeKind == TypeKind.Interface
            && contract.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ContractReader.ContractAttribute);
        if (isContract || contract.TypeKind == TypeKind.TypeParameter)
        {
            // A type parameter is checked where it is bound, at run time.
            return null;
        }

        var invocation = (InvocationExpressionSyntax)syntax.Node;
        return new DiagnosticInfo(
            Diagnostics.NotAContract,
            LocationInfo.From(invocation.GetLocation()),
            new EquatableArray<string>(ImmutableArray.Create(contract.ToDisplayString(), method.Name)));
    }
}
