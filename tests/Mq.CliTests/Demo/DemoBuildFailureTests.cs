using Mq.TestSupport;

namespace Mq.CliTests.Demo;

/// <summary>
/// scripts/demo.sh when the build fails: run on a copy of the sources with a compile error in the broker, it says
/// which project failed, repeats the compiler's errors and exits 1 without starting anything.
/// </summary>
public sealed class DemoBuildFailureTests : IDisposable
{
    private static readonly TimeSpan BuildBound = TimeSpan.FromMinutes(10);
    private static readonly string[] RootFiles = ["Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig"];

    private readonly string _copy = Directory.CreateTempSubdirectory("mq-demo-build-").FullName;

    [Fact]
    public async Task A_compile_error_is_shown_with_the_project_that_failed_and_nothing_starts()
    {
        CopySources();
        File.AppendAllText(Path.Combine(_copy, "src", "Broker", "Program.cs"), "\nthis is not C#\n");

        ExternalCommand.Result result = await ExternalCommand.RunAsync("bash", [Path.Combine(_copy, "scripts", "demo.sh")], BuildBound,
            environment: new Dictionary<string, string> { ["MQ_DEMO_PORT"] = LoopbackPort.Free() });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("building the broker and the peers (Release)...", result.Output);
        Assert.Contains("the build of src/Broker/Mq.Broker.csproj failed; its errors:", result.Output);
        // The error after the summary line, without the live build's indent, once per distinct error.
        string program = Path.Combine(_copy, "src", "Broker", "Program.cs");
        Assert.Contains(result.Output.Split('\n'), line => line.StartsWith(program, StringComparison.Ordinal) && line.Contains(": error CS", StringComparison.Ordinal));
        Assert.DoesNotContain("demo running", result.Output);
        Assert.False(File.Exists(Path.Combine(_copy, "src", "Broker", "bin", "Release", "net10.0", ".demo-built")));
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    private void CopySources()
    {
        foreach (string file in RootFiles)
        {
            File.Copy(Path.Combine(RepositoryRoot.Path, file), Path.Combine(_copy, file));
        }

        Directory.CreateDirectory(Path.Combine(_copy, "scripts"));
        File.Copy(Path.Combine(RepositoryRoot.Path, "scripts", "demo.sh"), Path.Combine(_copy, "scripts", "demo.sh"));
        CopyTree(Path.Combine(RepositoryRoot.Path, "src"), Path.Combine(_copy, "src"));
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string folder in Directory.EnumerateDirectories(from))
        {
            string name = Path.GetFileName(folder);
            if (name is not ("bin" or "obj"))
            {
                CopyTree(folder, Path.Combine(to, name));
            }
        }
    }
}
