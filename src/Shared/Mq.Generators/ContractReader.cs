using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Mq.Generators;

/// <summary>Reads an [MqContract] interface into a <see cref="ContractModel"/>, or into the diagnostics that say why it cannot be one.</summary>
internal static class ContractReader
{
    public const string ContractAttribute = "Mq.Rpc.MqContractAttribute";
    private const string FaultAttribute = "Mq.Rpc.MqFaultAttribute";

    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    // The formats a call's arguments can be written in (Mq's MqContentTypes; the generator cannot reference Mq).
    private static readonly string[] KnownContentTypes = ["application/msgpack", "application/json", "application/xml"];

    public static ContractResult Read(INamedTypeSymbol contract, AttributeData attribute, CancellationToken cancellationToken)
    {
        var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
        string name = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
        int timeout = attribute.NamedArguments.FirstOrDefault(a => a.Key == "TimeoutMilliseconds").Value.Value as int? ?? 0;
        string? contentType = attribute.NamedArguments.FirstOrDefault(a => a.Key == "ContentType").Value.Value as string;

        if (ServiceNames.Problem(name) is { } problem)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidName, contract, name, problem));
        }

        if (contentType is not null && !KnownContentTypes.Contains(contentType.Split(';')[0].Trim().ToLowerInvariant()))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnknownContentType, contract, contract.Name, contentType));
        }

        if (contract.IsGenericType)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.GenericContract, contract, contract.Name));
        }

        if (!Accessible(contract))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InaccessibleContract, contract, contract.Name));
        }

        var methods = ImmutableArray.CreateBuilder<MethodModel>();
        var wireNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (INamedTypeSymbol declaring in new[] { contract }.Concat(contract.AllInterfaces))
        {
            foreach (ISymbol member in declaring.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member.IsStatic || !member.IsAbstract)
                {
                    // Static members and default implementations are the interface's own, not the contract's.
                    continue;
                }

                switch (member)
                {
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                        if (ReadMethod(method, declaring, diagnostics) is { } read)
                        {
                            if (wireNames.Add(read.WireName))
                            {
                                methods.Add(read);
                            }
                            else
                            {
                                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.CollidingName, method, method.Name, name + "." + read.WireName));
                            }
                        }

                        break;
                    case IPropertySymbol property:
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.PropertyOrEvent, property, contract.Name, "property", property.Name));
                        break;
                    case IEventSymbol @event:
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.PropertyOrEvent, @event, contract.Name, "event", @event.Name));
                        break;
                }
            }
        }

        ContractModel? model = diagnostics.Count > 0 ? null : new ContractModel(
            contract.ContainingNamespace.IsGlobalNamespace ? null : contract.ContainingNamespace.ToDisplayString(),
            contract.Name,
            contract.ToDisplayString(TypeFormat),
            name,
            timeout,
            contentType,
            new EquatableArray<MethodModel>(methods.ToImmutable()));
        return new ContractResult(model, new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutable()));
    }

    /// <summary>The service token of a method: its name without an Async suffix.</summary>
    public static string WireName(string method) =>
        method.Length > "Async".Length && method.EndsWith("Async", StringComparison.Ordinal) ? method.Substring(0, method.Length - "Async".Length) : method;

    private static MethodModel? ReadMethod(IMethodSymbol method, INamedTypeSymbol declaring, ImmutableArray<DiagnosticInfo>.Builder diagnostics)
    {
        int before = diagnostics.Count;
        if (method.IsGenericMethod)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.GenericMethod, method, method.Name));
        }

        (ReturnKind Kind, ITypeSymbol? Result)? returns = Returns(method.ReturnType);
        if (returns is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedReturn, method, method.Name, method.ReturnType.ToDisplayString()));
        }
        else if (returns.Value.Result is { } result && !Serializable(result))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Unserializable, method, "The result", method.Name, result.ToDisplayString()));
        }

        var parameters = ImmutableArray.CreateBuilder<ParameterModel>();
        int tokens = 0, progress = 0, arguments = 0;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (parameter.RefKind != RefKind.None)
            {
                string kind = parameter.RefKind switch { RefKind.Out => "out", RefKind.In => "in", _ => "ref" };
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.RefParameter, parameter, parameter.Name, method.Name, kind));
                continue;
            }

            string type = parameter.Type.ToDisplayString(TypeFormat);
            if (IsCancellationToken(parameter.Type))
            {
                tokens++;
                parameters.Add(new ParameterModel(parameter.Name, type, ParameterRole.Cancellation, -1, null, null));
            }
            else if (ProgressOf(parameter.Type) is { } reports)
            {
                progress++;
                parameters.Add(new ParameterModel(parameter.Name, type, ParameterRole.Progress, -1, null, reports.ToDisplayString(TypeFormat)));
            }
            else if (!Serializable(parameter.Type))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Unserializable, parameter, $"Parameter '{parameter.Name}'", method.Name, parameter.Type.ToDisplayString()));
            }
            else
            {
                string? defaultValue = parameter.HasExplicitDefaultValue ? Literals.Default(parameter.Type, parameter.ExplicitDefaultValue) : null;
                parameters.Add(new ParameterModel(parameter.Name, type, ParameterRole.Argument, arguments++, defaultValue, null));
            }
        }

        if (tokens > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TwoCancellationTokens, method, method.Name));
        }

        if (progress > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TwoProgress, method, method.Name));
        }

        if (progress > 0 && returns?.Kind == ReturnKind.AsyncEnumerable)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.StreamWithProgress, method, method.Name));
        }

        if (diagnostics.Count > before || returns is null)
        {
            return null;
        }

        var faults = method.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == FaultAttribute && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is ITypeSymbol)
            .Select(a => ((ITypeSymbol)a.ConstructorArguments[0].Value!).ToDisplayString(TypeFormat))
            .ToImmutableArray();
        return new MethodModel(
            method.Name,
            WireName(method.Name),
            declaring.ToDisplayString(TypeFormat),
            returns.Value.Kind,
            method.ReturnType.ToDisplayString(TypeFormat),
            returns.Value.Result?.ToDisplayString(TypeFormat),
            new EquatableArray<ParameterModel>(parameters.ToImmutable()),
            new EquatableArray<string>(faults));
    }

    private static (ReturnKind Kind, ITypeSymbol? Result)? Returns(ITypeSymbol type)
    {
        string? generic = (type as INamedTypeSymbol)?.ConstructedFrom.ToDisplayString();
        ITypeSymbol? argument = (type as INamedTypeSymbol)?.TypeArguments.FirstOrDefault();
        return generic switch
        {
            "System.Threading.Tasks.Task" => (ReturnKind.Task, null),
            "System.Threading.Tasks.ValueTask" => (ReturnKind.ValueTask, null),
            "System.Threading.Tasks.Task<TResult>" => (ReturnKind.TaskOfT, argument),
            "System.Threading.Tasks.ValueTask<TResult>" => (ReturnKind.ValueTaskOfT, argument),
            "System.Collections.Generic.IAsyncEnumerable<T>" => (ReturnKind.AsyncEnumerable, argument),
            _ => null,
        };
    }

    private static bool IsCancellationToken(ITypeSymbol type) => type.ToDisplayString() == "System.Threading.CancellationToken";

    private static ITypeSymbol? ProgressOf(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true } named && named.ConstructedFrom.ToDisplayString() == "System.IProgress<T>" ? named.TypeArguments[0] : null;

    private static bool Serializable(ITypeSymbol type) =>
        !type.IsRefLikeType && type.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Delegate);

    private static bool Accessible(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return false;
            }
        }

        return true;
    }
}
