using System.Collections;
using System.Globalization;
using System.Text;

namespace Mq.Broker.Hosting;

/// <summary>
/// A <c>$SYS.</c> reply for people: a map of values as aligned "key value" lines; a list reply (total, omitted and
/// one list) as a table with a column per key of its entries, and a line saying how many were left out.
/// </summary>
internal static class SystemTable
{
    public static string Format(string command, Dictionary<string, object?> reply)
    {
        var text = new StringBuilder();
        if (reply.TryGetValue(command, out object? list) && list is object[] entries)
        {
            long total = Convert.ToInt64(reply.GetValueOrDefault("total") ?? entries.Length, CultureInfo.InvariantCulture);
            long omitted = Convert.ToInt64(reply.GetValueOrDefault("omitted") ?? 0, CultureInfo.InvariantCulture);
            Table(text, entries.OfType<IDictionary>().ToList());
            text.AppendLine(CultureInfo.InvariantCulture, $"{total} {command}{(omitted > 0 ? $", {omitted} not shown (the broker lists at most {entries.Length})" : "")}");
            return text.ToString();
        }

        // A list of maps inside a map (the streams of stats) reads better as a table of its own, after the values.
        static bool IsRows(object? value) => value is object[] items && items.All(i => i is IDictionary);
        int width = reply.Keys.Max(k => k.Length);
        foreach ((string key, object? value) in reply.Where(p => !IsRows(p.Value)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{key.PadRight(width)}  {Cell(value)}");
        }

        foreach ((string key, object? value) in reply.Where(p => IsRows(p.Value)))
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{key}:");
            Table(text, ((object[])value!).Cast<IDictionary>().ToList());
        }

        return text.ToString();
    }

    private static void Table(StringBuilder text, List<IDictionary> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        string[] columns = [.. rows[0].Keys.Cast<object>().Select(k => k.ToString() ?? "")];
        string[][] cells = [.. rows.Select(row => columns.Select(c => Cell(row.Contains(c) ? row[c] : null)).ToArray())];
        int[] widths = [.. columns.Select((c, i) => Math.Max(c.Length, cells.Max(r => r[i].Length)))];
        Line(text, columns, widths);
        foreach (string[] row in cells)
        {
            Line(text, row, widths);
        }
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths)
    {
        text.AppendLine(string.Join("  ", cells.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
    }

    public static string Cell(object? value) => value switch
    {
        null => "-",
        bool b => b ? "yes" : "no",
        object[] items => string.Join(", ", items.Select(Cell)),
        IDictionary map => string.Join(" ", map.Keys.Cast<object>().Select(k => $"{k}={Cell(map[k])}")),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "-",
    };
}
