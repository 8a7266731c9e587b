using Microsoft.AspNetCore.Http;

namespace Mq.Broker.Monitoring.Http;

/// <summary>
/// The dashboard's page, style and script, read once from the assembly's resources. Served with a content
/// security policy that lets the page load and connect to this endpoint only.
/// </summary>
internal static class DashboardAssets
{
    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<string, (byte[] Content, string Type)> Files = new(StringComparer.Ordinal)
    {
        ["/"] = (Read("index.html"), "text/html; charset=utf-8"),
        ["/dashboard.css"] = (Read("dashboard.css"), "text/css; charset=utf-8"),
        ["/dashboard.js"] = (Read("dashboard.js"), "text/javascript; charset=utf-8"),
    };

    public static IEnumerable<string> Paths => Files.Keys;

    public static IResult Serve(HttpContext context)
    {
        (byte[] content, string type) = Files[context.Request.Path.Value ?? "/"];
        context.Response.Headers.ContentSecurityPolicy = Policy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(content, type);
    }

    private static byte[] Read(string name)
    {
        using Stream stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("Dashboard/" + name)
            ?? throw new InvalidOperationException($"the dashboard's {name} is missing from the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
