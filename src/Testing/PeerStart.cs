namespace Mq.Testing;

/// <summary>
/// What to start as a peer process: an executable, <c>dotnet app.dll</c>, or an app whose dll is in the test's
/// output folder; with its arguments, extra environment, working folder and standard input.
/// </summary>
public sealed record PeerStart
{
    private PeerStart(string fileName, IReadOnlyList<string> arguments, string name)
    {
        FileName = fileName;
        Arguments = arguments;
        Name = name;
    }

    /// <summary>The program started: the executable, or <c>dotnet</c>.</summary>
    public string FileName { get; }

    /// <summary>Its arguments, the dll first for .NET apps.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>How assertion messages name the process.</summary>
    public string Name { get; init; }

    /// <summary>Variables set for the process on top of the test's own environment (and of the broker's, with <see cref="TestBroker.StartPeerAsync"/>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The process's working folder; the test's output folder when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Text written to the process's standard input, which is then closed; no input when null.</summary>
    public string? StandardInput { get; init; }

    /// <summary>Any executable, found on the PATH if <paramref name="fileName"/> has no folder.</summary>
    public static PeerStart Executable(string fileName, params string[] arguments) =>
        new(fileName, arguments, Path.GetFileName(fileName));

    /// <summary><c>dotnet &lt;dll&gt; arguments</c>.</summary>
    public static PeerStart Dotnet(string dll, params string[] arguments)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} does not exist", dll);
        }

        return new("dotnet", [dll, .. arguments], Path.GetFileNameWithoutExtension(dll));
    }

    /// <summary>
    /// A .NET app whose <c>&lt;assemblyName&gt;.dll</c> is in the test's output folder, as a ProjectReference to the
    /// app's project puts it.
    /// </summary>
    public static PeerStart App(string assemblyName, params string[] arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{assemblyName}.dll is not in the test output folder; reference its project", dll);
        }

        return Dotnet(dll, arguments) with { Name = assemblyName };
    }
}
