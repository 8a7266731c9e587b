using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace Mq.Configuration;

/// <summary>
/// Checks configuration keys against an options class before it is bound: the binder ignores a misspelt key
/// (the setting silently keeps its default) and reports a value it cannot convert as an exception with a stack
/// trace. Here each becomes one line naming the key, with the closest valid key or the expected form.
/// Takes plain key/value pairs (a section's <c>AsEnumerable(makePathsRelative: true)</c>) so the client
/// library needs no configuration package.
/// </summary>
internal static class SettingsCheck
{
    /// <summary>One problem per bad key, in key order; empty when every key names a settable property and parses.</summary>
    public static List<string> Problems(Type optionsType, string sectionPath, IEnumerable<KeyValuePair<string, string?>> relativeSettings)
    {
        string prefix = sectionPath.Length == 0 ? "" : sectionPath + ":";
        var problems = new List<string>();
        List<string>? known = null;
        foreach ((string key, string? value) in relativeSettings.OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (value is null)
            {
                continue;
            }

            if (Find(optionsType, key, out Type? element) is not { } property)
            {
                known ??= Keys(optionsType, prefix).ToList();
                problems.Add(Unknown(prefix + key, known));
            }
            else if (element is null && property.PropertyType.IsArray && value.Length > 0)
            {
                problems.Add($"setting {prefix + key} is a list: set its entries as {prefix + key}:0, {prefix + key}:1, ...");
            }
            else if (Problem(property, element, prefix + key, value) is { } problem)
            {
                problems.Add(problem);
            }
        }

        return problems;
    }

    /// <summary>"unknown setting X (did you mean Y?)", the suggestion only when one is close enough to be a typo.</summary>
    public static string Unknown(string key, IEnumerable<string> valid)
    {
        string? closest = Closest(key, valid);
        return closest is null ? $"unknown setting {key}" : $"unknown setting {key} (did you mean {closest}?)";
    }

    /// <summary>The valid key nearest to <paramref name="key"/> by edit distance (ignoring case), if within a typo's reach.</summary>
    public static string? Closest(string key, IEnumerable<string> valid)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string pattern in valid)
        {
            string candidate = Named(pattern, key);
            int distance = Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Max(2, key.Length / 5) ? best : null;
    }

    /// <summary>Every settable key of <paramref name="optionsType"/>, nested sections included, under <paramref name="prefix"/>.</summary>
    public static IEnumerable<string> Keys(Type optionsType, string prefix)
    {
        foreach (PropertyInfo property in Settable(optionsType))
        {
            if (NamedSections(property.PropertyType) is { } entry)
            {
                foreach (string nested in Keys(entry, prefix + property.Name + ":<name>:"))
                {
                    yield return nested;
                }
            }
            else if (IsSection(property.PropertyType))
            {
                foreach (string nested in Keys(property.PropertyType, prefix + property.Name + ":"))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return prefix + property.Name;
            }
        }
    }

    private static string? Problem(PropertyInfo property, Type? element, string key, string value)
    {
        if (element is null && IsSection(property.PropertyType))
        {
            return $"setting {key} is a section, not a value: set its keys ({string.Join(", ", Keys(property.PropertyType, key + ":"))})";
        }

        Type declared = element ?? property.PropertyType;
        Type type = Nullable.GetUnderlyingType(declared) ?? declared;
        if (value.Length == 0 || type == typeof(string))
        {
            return null;
        }

        try
        {
            _ = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return $"setting {key}: '{value}' is not {Expected(type)}";
        }
    }

    /// <summary>The property <paramref name="key"/> names; <paramref name="element"/> is the entry type when the key indexes an array (<c>Endpoints:0</c>).</summary>
    private static PropertyInfo? Find(Type type, string key, out Type? element)
    {
        element = null;
        PropertyInfo? property = null;
        Type? named = null;
        foreach (string segment in key.Split(':'))
        {
            if (element is not null)
            {
                return null;
            }

            // A dictionary of sections (Streams:<name>:...): the segment after it is a name, any name.
            if (named is null && property is not null && NamedSections(property.PropertyType) is { } entry)
            {
                named = entry;
                continue;
            }

            if (named is not null)
            {
                property = Settable(named).FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase));
                named = null;
                if (property is null)
                {
                    return null;
                }

                continue;
            }

            if (property is not null && property.PropertyType.IsArray && segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                element = property.PropertyType.GetElementType();
                continue;
            }

            if (property is not null && !IsSection(property.PropertyType))
            {
                return null;
            }

            property = Settable(property?.PropertyType ?? type).FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return null;
            }
        }

        return property;
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true && p.GetIndexParameters().Length == 0);

    private static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && !type.IsArray && Settable(type).Any();

    /// <summary>The entry type of a dictionary of sections by name (<c>Dictionary&lt;string, T&gt;</c>), else null.</summary>
    private static Type? NamedSections(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string)
            && IsSection(type.GetGenericArguments()[1])
            ? type.GetGenericArguments()[1]
            : null;

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(TimeSpan) => "a time span such as 00:00:05 (hh:mm:ss)",
        _ when type == typeof(bool) => "true or false",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ when type == typeof(int) || type == typeof(long) => $"a whole number (up to {(type == typeof(int) ? int.MaxValue : long.MaxValue).ToString(CultureInfo.InvariantCulture)})",
        _ => $"a {type.Name}",
    };

    /// <summary>A key pattern with its <c>&lt;name&gt;</c> segments taken from <paramref name="key"/>, so a typo after a stream's name is still near.</summary>
    private static string Named(string pattern, string key)
    {
        if (!pattern.Contains("<name>", StringComparison.Ordinal))
        {
            return pattern;
        }

        string[] segments = pattern.Split(':');
        string[] given = key.Split(':');
        for (int i = 0; i < segments.Length && i < given.Length; i++)
        {
            if (segments[i] == "<name>")
            {
                segments[i] = given[i];
            }
        }

        return string.Join(':', segments);
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
