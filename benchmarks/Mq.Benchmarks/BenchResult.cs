using System.Text;

namespace Mq.Benchmarks;

/// <summary>
/// One measured number, printed as one "BENCH key=value ..." line for scripts. <see cref="Lost"/> is exact
/// (sequence numbers), <see cref="Status"/> is ok, loss, timeout, error or na.
/// </summary>
internal sealed record BenchResult(string System, string Workload, string Metric, double Value, long? Lost, string Status)
{
    public IReadOnlyList<(string Key, string Value)> Extra { get; init; } = [];

    public static BenchResult NotApplicable(string system, string workload, string metric, string why) =>
        new(system, workload, metric, double.NaN, null, "na") { Extra = [("note", why)] };

    public override string ToString()
    {
        var line = new StringBuilder($"BENCH system={System} workload={Workload} metric={Metric} value={Fields.Format(Value)} ");
        line.Append($"lost={(Lost?.ToString(global::System.Globalization.CultureInfo.InvariantCulture) ?? "na")} status={Status}");
        foreach ((string key, string value) in Extra)
        {
            line.Append($" {key}={value}");
        }

        return line.ToString();
    }
}
