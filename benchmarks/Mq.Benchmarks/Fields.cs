using System.Globalization;

namespace Mq.Benchmarks;

/// <summary>The "key=value key=value" lines that roles report and that results are printed as.</summary>
internal static class Fields
{
    public static Dictionary<string, string> Parse(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = token.IndexOf('=');
            if (equals > 0)
            {
                fields[token[..equals]] = token[(equals + 1)..];
            }
        }

        return fields;
    }

    public static long Long(IReadOnlyDictionary<string, string> fields, string key) =>
        long.Parse(fields[key], CultureInfo.InvariantCulture);

    public static string Format(double value) =>
        double.IsFinite(value) ? value.ToString(value >= 100 ? "0" : "0.###", CultureInfo.InvariantCulture) : "na";
}
