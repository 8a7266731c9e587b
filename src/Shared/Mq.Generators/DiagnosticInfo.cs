using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Mq.Generators;

/// <summary>A diagnostic to report, as comparable values (see <see cref="LocationInfo"/>).</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, ISymbol? at, params string[] arguments) =>
        new(descriptor, LocationInfo.From(at?.Locations.FirstOrDefault()), new EquatableArray<string>(arguments.ToImmutableArray()));

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), Arguments.Items.Cast<object>().ToArray());
}
