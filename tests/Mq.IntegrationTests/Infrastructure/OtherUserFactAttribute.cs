using Mq.TestSupport;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>
/// A test that runs a Python peer as another OS user (nobody, through util-linux's setpriv), which needs root and
/// Debian's python3-zmq. Skipped, saying so, where either is missing.
/// </summary>
public sealed class OtherUserFactAttribute : FactAttribute
{
    public const string Setpriv = "/usr/bin/setpriv";

    /// <summary>nobody's uid and gid on Debian.</summary>
    public const uint Nobody = 65534;

    private static readonly Lazy<string?> Missing = new(() =>
        !ExternalCommand.Succeeds("/usr/bin/id", "-u") || Mq.Broker.Transport.UnixAccounts.Current.Uid != 0 ? "the tests do not run as root, so cannot run a peer as another user"
        : !File.Exists(Setpriv) ? $"{Setpriv} (util-linux) is missing"
        : !ExternalCommand.Succeeds(PythonFactAttribute.Python, "-c", "import zmq") ? $"{PythonFactAttribute.Python} lacks zmq (Debian's python3-zmq)"
        : null);

    public OtherUserFactAttribute()
    {
        if (Missing.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>The command line that runs <paramref name="arguments"/> under Python as nobody, with no supplementary groups.</summary>
    public static string[] AsNobody(params string[] arguments) =>
        [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", PythonFactAttribute.Python, .. arguments];

    /// <summary>The command line that runs <paramref name="arguments"/> under Python as nobody, with these supplementary groups.</summary>
    public static string[] AsNobodyInGroups(IEnumerable<uint> groups, params string[] arguments) =>
        [$"--reuid={Nobody}", $"--regid={Nobody}", $"--groups={string.Join(',', groups)}", PythonFactAttribute.Python, .. arguments];
}
