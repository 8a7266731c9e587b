using System.Globalization;

namespace Mq.IntegrationTests.Monitoring;

/// <summary>Prometheus's text format, read as far as the tests need: the TYPE of each family and each sample's value.</summary>
internal sealed class PrometheusText
{
    private PrometheusText(Dictionary<string, string> types, Dictionary<string, double> samples, Dictionary<string, double> series)
    {
        Types = types;
        Samples = samples;
        Series = series;
    }

    /// <summary>Metric family name to its type (counter, gauge, histogram...).</summary>
    public Dictionary<string, string> Types { get; }

    /// <summary>Sample name (labels dropped) to its value; families here have one series each.</summary>
    public Dictionary<string, double> Samples { get; }

    /// <summary>Sample with its labels, as written (<c>name{a="b"}</c>), to its value: for families with several series.</summary>
    public Dictionary<string, double> Series { get; }

    public static PrometheusText Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ');
                types[parts[2]] = parts[3];
            }
            else if (!line.StartsWith('#'))
            {
                int labels = line.IndexOf('{', StringComparison.Ordinal);
                int space = line.LastIndexOf(' ');
                string name = line[..(labels >= 0 ? labels : line.IndexOf(' ', StringComparison.Ordinal))];
                double value = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
                samples[name] = value;
                series[line[..space]] = value;
            }
        }

        return new PrometheusText(types, samples, series);
    }
}
