using System.Diagnostics;
using System.Text.Json;

namespace Mq.TraceDemo;

/// <summary>One collected span as the demo prints it (one JSON line after <see cref="Prefix"/>) and the test reads it.</summary>
public sealed record SpanLine(string Source, string Name, string Kind, string TraceId, string SpanId, string? ParentSpanId, string Status, IReadOnlyDictionary<string, string?> Tags)
{
    public const string Prefix = "span ";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static SpanLine From(Activity activity) => new(
        activity.Source.Name,
        activity.DisplayName,
        activity.Kind.ToString(),
        activity.TraceId.ToHexString(),
        activity.SpanId.ToHexString(),
        activity.ParentSpanId == default ? null : activity.ParentSpanId.ToHexString(),
        activity.Status.ToString(),
        activity.TagObjects.ToDictionary(t => t.Key, t => t.Value?.ToString()));

    /// <summary>The span of a printed line, or null for any other line.</summary>
    public static SpanLine? Parse(string line) =>
        line.StartsWith(Prefix, StringComparison.Ordinal) ? JsonSerializer.Deserialize<SpanLine>(line.AsSpan(Prefix.Length), Json) : null;

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
