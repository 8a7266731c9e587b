using System.Text.RegularExpressions;
using Mq.TestSupport;

namespace Mq.PackageTests;

/// <summary>docs/testing.md shows the samples' own test, which the package tests run, so the documented example compiles and passes.</summary>
public sealed partial class DocsExampleTests
{
    [Fact]
    public void The_spawned_peer_example_in_docs_testing_is_the_samples_test()
    {
        string docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "testing.md"));
        string sample = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "samples", "Shop.Tests", "BillingTests.cs"));

        Match example = FirstCSharpBlock().Match(docs);

        Assert.True(example.Success, "docs/testing.md has no ```csharp block");
        Assert.Equal(sample.ReplaceLineEndings("\n").Trim(), example.Groups[1].Value.ReplaceLineEndings("\n").Trim());
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstCSharpBlock();
}
