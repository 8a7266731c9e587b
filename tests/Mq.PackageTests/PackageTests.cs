using System.IO.Compression;
using System.Text.RegularExpressions;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.PackageTests;

/// <summary>The packages as users get them: restored from the feed by the samples' solution, and installed as tools.</summary>
public sealed partial class PackageTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_feed_has_every_package_under_one_version()
    {
        string[] expected = ["Mq", "Mq.Hosting", "Mq.Broker.Core", "Mq.Broker.Monitoring", "Mq.Broker.Persistence", "Mq.Testing", "Mq.Broker", "Mq.Publisher", "Mq.Subscriber"];

        string[] packed = Directory.GetFiles(feed.Feed, "*.nupkg").Select(Path.GetFileName).Order().ToArray()!;

        Assert.Equal(expected.Select(id => $"{id}.{feed.Version}.nupkg").Order(), packed);
    }

    [Theory]
    [InlineData("Mq", new string[0])]
    [InlineData("Mq.Hosting", new[] { "Mq" })]
    [InlineData("Mq.Broker.Core", new[] { "Mq", "Mq.Broker.Persistence" })]
    [InlineData("Mq.Broker.Monitoring", new[] { "Mq.Broker.Core" })]
    [InlineData("Mq.Broker.Persistence", new string[0])]
    [InlineData("Mq.Testing", new[] { "Mq", "Mq.Broker.Core" })]
    public void A_library_package_carries_its_own_assembly_and_depends_on_no_hosting_command_line_or_logging_sink(string id, string[] mqDependencies)
    {
        // Package Mq carries the contract generator too, as an analyzer (see the next test).
        using ZipArchive package = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg"));

        string[] assemblies = package.Entries.Where(e => e.FullName.EndsWith(".dll", StringComparison.Ordinal)).Select(e => e.FullName).ToArray();
        using var nuspec = new StreamReader(package.GetEntry($"{id}.nuspec")!.Open());
        string[] dependencies = NuspecDependency().Matches(nuspec.ReadToEnd()).Select(m => m.Groups[1].Value).ToArray();

        Assert.Equal([$"lib/net10.0/{id}.dll"], assemblies.Where(a => !a.StartsWith("analyzers/", StringComparison.Ordinal)));
        Assert.Equal(mqDependencies.Order(), dependencies.Where(d => d.StartsWith("Mq", StringComparison.Ordinal)).Order());
        Assert.DoesNotContain(dependencies, d => d.StartsWith("Serilog", StringComparison.Ordinal) || d == "System.CommandLine" || d == "Microsoft.Extensions.Hosting");
    }

    [Fact]
    public void Package_Mq_carries_the_contract_generator_as_a_CSharp_analyzer_and_only_it_does()
    {
        foreach (string id in new[] { "Mq", "Mq.Hosting", "Mq.Broker.Core", "Mq.Testing" })
        {
            using ZipArchive package = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg"));
            string[] analyzers = package.Entries.Where(e => e.FullName.StartsWith("analyzers/", StringComparison.Ordinal)).Select(e => e.FullName).ToArray();
            Assert.Equal(id == "Mq" ? ["analyzers/dotnet/cs/Mq.Generators.dll"] : [], analyzers);
        }
    }

    [Fact]
    public async Task The_samples_restore_from_the_feed_build_and_pass_their_tests()
    {
        string samples = feed.CopySamples();

        ExternalCommand.Result test = await PackedFeed.DotnetAsync(
            ["test", "Mq.Samples.sln", $"-p:MqVersion={feed.Version}", $"-p:RestoreFallbackFolders={PackedFeed.SharedPackages}", "-nologo"],
            samples);

        Assert.True(test.ExitCode == 0, $"dotnet test of the samples exited {test.ExitCode}:\n{test.Output}");
        Assert.Matches(PassedSummary(), test.Output);
    }

    [Fact]
    public async Task The_tools_install_from_the_feed_and_a_message_goes_through_them()
    {
        string tools = Path.Combine(feed.Root, "tools");
        foreach (string tool in new[] { "Mq.Broker", "Mq.Publisher", "Mq.Subscriber" })
        {
            ExternalCommand.Result install = await PackedFeed.DotnetAsync(
                ["tool", "install", tool, "--tool-path", tools, "--add-source", feed.Feed, "--version", feed.Version],
                feed.Root);
            Assert.True(install.ExitCode == 0, $"installing {tool} exited {install.ExitCode}:\n{install.Output}");

            ExternalCommand.Result version = await ExternalCommand.RunAsync(Path.Combine(tools, tool), ["--version"], PackedFeed.CommandTimeout, feed.Root);
            Assert.True(version.ExitCode == 0, $"{tool} --version exited {version.ExitCode}:\n{version.Output}");
            Assert.Matches(VersionLine(), version.Output);
        }

        await using PeerProcess broker = PeerProcess.Start(PeerStart.Executable(Path.Combine(tools, "Mq.Broker"), "--endpoint", "tcp://127.0.0.1:0"));
        string endpoint = Endpoint().Match(await broker.WaitForLineAsync("ready on tcp://", ToolTimeout)).Value;
        await using PeerProcess subscriber = PeerProcess.Start(PeerStart.Executable(
            Path.Combine(tools, "Mq.Subscriber"), "--broker", endpoint, "--topic", "packages.check", "--count", "1", "--timeout", "30"));
        await subscriber.WaitForLineAsync("subscribed to ", ToolTimeout, onStandardError: true);

        ExternalCommand.Result publish = await ExternalCommand.RunAsync(
            Path.Combine(tools, "Mq.Publisher"), ["--broker", endpoint, "--topic", "packages.check", "--message", "from the feed"], ToolTimeout, feed.Root);

        Assert.True(publish.ExitCode == 0, $"Mq.Publisher exited {publish.ExitCode}:\n{publish.Output}");
        Assert.Equal(0, await subscriber.WaitForExitAsync(ToolTimeout));
        Assert.Contains("from the feed", subscriber.Output);
    }

    // dotnet test's summary of a run in which tests ran and none failed.
    [GeneratedRegex(@"Failed:\s+0, Passed:\s+[1-9]")]
    private static partial Regex PassedSummary();

    [GeneratedRegex(@"^\d+\.\d+\.\d+", RegexOptions.Multiline)]
    private static partial Regex VersionLine();

    [GeneratedRegex("<dependency id=\"([^\"]+)\"")]
    private static partial Regex NuspecDependency();

    [GeneratedRegex(@"tcp://[0-9.]+:\d+")]
    private static partial Regex Endpoint();
}
