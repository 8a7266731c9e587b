using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Mq.Generators;

/// <summary>A source location as plain values: a <see cref="Location"/> holds the syntax tree, which would defeat caching.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan Lines)
{
    public static LocationInfo? From(Location? location) =>
        location is { IsInSource: true } ? new LocationInfo(location.SourceTree!.FilePath, location.SourceSpan, location.GetLineSpan().Span) : null;

    public Location ToLocation() => Location.Create(FilePath, Span, Lines);
}
