using Mq.TestSupport;

namespace Mq.PackageTests;

/// <summary>Every package of Mq.sln packed once into a feed in a fresh folder, under a version of its own: a version
/// no earlier run used cannot be served from NuGet's cache, so what the tests restore is what was just packed.
/// The folder mirrors the repository (artifacts/packages beside samples/), so samples/nuget.config finds the feed.</summary>
public sealed class PackedFeed : IAsyncLifetime
{
    /// <summary>Bounds each dotnet command; packing, restoring and building share two cores with other test runs.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(6);

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public string Root { get; } = Directory.CreateTempSubdirectory("mq-packages-").FullName;

    public string Feed => Path.Combine(Root, "artifacts", "packages");

    public string Version { get; } = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    /// <summary>NuGet's own packages folder, read-only to these tests: a fallback for everything that is not Mq's.</summary>
    public static string SharedPackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } path
            ? path
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public async Task InitializeAsync()
    {
        // --no-build packs what the test run has built (the project references above make sure it is built).
        ExternalCommand.Result pack = await DotnetAsync(
            ["pack", Path.Combine(RepositoryRoot.Path, "Mq.sln"), "--no-build", "-c", Configuration, "-o", Feed, $"-p:Version={Version}", "-nologo"],
            RepositoryRoot.Path);
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed with exit code {pack.ExitCode}:\n{pack.Output}");
        }
    }

    /// <summary>Runs dotnet to its end within <see cref="CommandTimeout"/>.</summary>
    public static Task<ExternalCommand.Result> DotnetAsync(IEnumerable<string> arguments, string workingDirectory) =>
        ExternalCommand.RunAsync("dotnet", arguments, CommandTimeout, workingDirectory, new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" });

    /// <summary>A copy of samples/ beside the feed, without build output, as a user's clone would have it.</summary>
    public string CopySamples()
    {
        string source = Path.Combine(RepositoryRoot.Path, "samples");
        string target = Path.Combine(Root, "samples");
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            string copy = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}
