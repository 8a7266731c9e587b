using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace Mq.GeneratorTests;

/// <summary>The README's remote-object example compiles, with the generator, as the program it shows.</summary>
public sealed partial class ReadmeExampleTests
{
    // What a console project's implicit usings give the example.
    private const string ImplicitUsings = "global using System; global using System.Threading; global using System.Threading.Tasks;";

    [Fact]
    public void The_remote_object_example_in_the_README_compiles_with_its_generated_proxy()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        Match example = RemoteObjectExample().Match(readme);
        Assert.True(example.Success, "README.md has no csharp block under '## Remote objects'");

        GeneratorRun run = GeneratorRun.Of(GeneratorRun.Compile(OutputKind.ConsoleApplication, example.Groups[1].Value, ImplicitUsings));

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        Assert.InRange(example.Groups[1].Value.Split('\n').Length, 1, 25);
    }

    private static string RepositoryRoot()
    {
        DirectoryInfo? folder = new(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Mq.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException($"no Mq.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex("## Remote objects\n.*?```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex RemoteObjectExample();
}
