using System.Reflection;
using Mq.Broker.Routing;
using Mq.Subjects;

namespace Mq.UnitTests.Routing;

public sealed class SubjectTreeTests
{
    [Fact]
    public void A_literal_pattern_matches_only_its_own_subject()
    {
        var tree = new SubjectTree<string>();
        tree.Add("a.b", "ab");
        Assert.Equal(["ab"], Match(tree, "a.b"));
        Assert.Empty(Match(tree, "a"));
        Assert.Empty(Match(tree, "a.b.c"));
        Assert.Empty(Match(tree, "a.c"));
    }

    [Fact]
    public void Star_matches_exactly_one_token_and_tail_one_or_more()
    {
        var tree = new SubjectTree<string>();
        tree.Add("a.*", "star");
        tree.Add("a.>", "tail");
        Assert.Empty(Match(tree, "a"));
        Assert.Equal(["star", "tail"], Match(tree, "a.b"));
        Assert.Equal(["tail"], Match(tree, "a.b.c"));
    }

    [Fact]
    public void Match_returns_every_item_whose_pattern_matches()
    {
        var tree = new SubjectTree<string>();
        foreach (string pattern in new[] { "a.b.c", "a.*.c", "a.>", ">", "a.b", "*.*.*", "x.>", "*.b.>" })
        {
            tree.Add(pattern, pattern);
        }

        Assert.Equal(["*.*.*", "*.b.>", ">", "a.*.c", "a.>", "a.b.c"], Match(tree, "a.b.c"));
        Assert.Equal([">", "a.>", "a.b"], Match(tree, "a.b"));
        Assert.Equal([">"], Match(tree, "a"));
        Assert.Equal(["*.*.*", ">", "x.>"], Match(tree, "x.y.z"));
    }

    [Fact]
    public void Results_are_added_to_what_the_list_already_holds()
    {
        var tree = new SubjectTree<string>();
        tree.Add("a", "new");
        var results = new List<string> { "old" };
        tree.Match("a", results);
        Assert.Equal(["old", "new"], results);
    }

    [Fact]
    public void One_item_under_two_matching_patterns_is_returned_twice()
    {
        var tree = new SubjectTree<string>();
        tree.Add("a.*", "item");
        tree.Add("a.>", "item");
        Assert.Equal(["item", "item"], Match(tree, "a.b"));
        Assert.Equal(2, tree.Count);
    }

    [Fact]
    public void Remove_takes_out_exactly_that_item_under_that_pattern()
    {
        var tree = new SubjectTree<string>();
        tree.Add("a.b.c", "one");
        tree.Add("a.b.c", "two");
        tree.Add("a.*.>", "three");

        Assert.True(tree.Remove("a.b.c", "one"));
        Assert.False(tree.Remove("a.b.c", "one"));
        Assert.False(tree.Remove("a.b.x", "two"));
        Assert.False(tree.Remove("a.b", "two"));
        Assert.False(tree.Remove("a.b.c.d", "two"));
        Assert.False(tree.Remove("a.*.c", "three"));
        Assert.False(tree.Remove("a.>", "three"));
        Assert.False(tree.Remove("zzz", "two"));
        Assert.Equal(2, tree.Count);
        Assert.Equal(["three", "two"], Match(tree, "a.b.c"));
    }

    [Fact]
    public void Removing_a_branch_keeps_its_neighbours()
    {
        string[] patterns = ["a", "a.b", "a.b.c", "a.*", "a.*.c", "a.>", "*", ">", "*.b"];
        for (int skip = 0; skip < patterns.Length; skip++)
        {
            var tree = new SubjectTree<string>();
            foreach (string pattern in patterns)
            {
                tree.Add(pattern, pattern);
            }

            Assert.True(tree.Remove(patterns[skip], patterns[skip]));
            string[] rest = [.. patterns.Where((_, i) => i != skip)];
            foreach (string subject in new[] { "a", "a.b", "a.b.c", "b", "b.b", "a.x.c" })
            {
                string[] expected = [.. rest.Where(p => Subject.Matches(p, subject)).Order(StringComparer.Ordinal)];
                Assert.Equal(expected, Match(tree, subject));
            }
        }
    }

    [Fact]
    public void Removing_everything_prunes_the_tree_back_to_an_empty_root()
    {
        var tree = new SubjectTree<string>();
        string[] patterns = ["a.b.c", "a.*.c", "a.>", ">", "*", "x.y", "x.*.>"];
        foreach (string pattern in patterns)
        {
            tree.Add(pattern, pattern);
        }

        foreach (string pattern in patterns.Reverse())
        {
            Assert.True(tree.Remove(pattern, pattern));
        }

        Assert.Equal(0, tree.Count);
        Assert.Empty(Match(tree, "a.b.c"));

        // No empty nodes are left behind: the root itself holds nothing.
        object root = typeof(SubjectTree<string>).GetField("_root", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(tree)!;
        Assert.True((bool)root.GetType().GetProperty("IsEmpty")!.GetValue(root)!);
    }

    [Fact]
    public void Matches_the_brute_force_definition_on_random_patterns_and_subjects_also_after_removals()
    {
        // A property test: for random patterns and subjects over a small alphabet, the trie agrees with
        // Subject.Matches applied to every pattern. Fixed seed, so a failure reproduces.
        var random = new Random(20261124);
        string[] tokens = ["a", "b", "c"];
        var patterns = new List<string>();
        var tree = new SubjectTree<string>();
        for (int i = 0; i < 2000; i++)
        {
            string[] parts = [.. Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(6) == 0 ? "*" : tokens[random.Next(tokens.Length)])];
            if (random.Next(4) == 0)
            {
                parts[^1] = ">";
            }

            string pattern = string.Join('.', parts);
            Assert.Null(Subject.Validate(pattern, SubjectKind.Pattern));
            patterns.Add(pattern);
            tree.Add(pattern, pattern);
        }

        string[] subjects = [.. Enumerable.Range(0, 2000).Select(_ => string.Join('.', Enumerable.Range(0, random.Next(1, 7)).Select(_ => tokens[random.Next(tokens.Length)])))];
        AssertAgrees(tree, patterns, subjects);

        for (int i = 0; i < 1000; i++)
        {
            string pattern = patterns[random.Next(patterns.Count)];
            patterns.Remove(pattern);
            Assert.True(tree.Remove(pattern, pattern));
        }

        Assert.Equal(patterns.Count, tree.Count);
        AssertAgrees(tree, patterns, subjects);
    }

    [Fact]
    public void Compressed_runs_split_and_merge_on_whole_tokens_only()
    {
        // Multi-character tokens that are prefixes of each other, in long patterns: runs are split where
        // patterns diverge and merged again as they go, never inside a token.
        var random = new Random(20261202);
        string[] tokens = ["a", "ab", "abc", "b", "*"];
        var patterns = new List<string>();
        var tree = new SubjectTree<string>();
        for (int i = 0; i < 1500; i++)
        {
            string[] parts = [.. Enumerable.Range(0, random.Next(1, 10)).Select(_ => tokens[random.Next(tokens.Length)])];
            if (random.Next(5) == 0)
            {
                parts[^1] = ">";
            }

            string pattern = string.Join('.', parts);
            patterns.Add(pattern);
            tree.Add(pattern, pattern);
        }

        string[] literals = ["a", "ab", "abc", "b"];
        string[] subjects = [.. Enumerable.Range(0, 1500).Select(_ => string.Join('.', Enumerable.Range(0, random.Next(1, 11)).Select(_ => literals[random.Next(literals.Length)])))];
        AssertAgrees(tree, patterns, subjects);

        foreach (string pattern in patterns.Where((_, i) => i % 3 != 0).ToArray())
        {
            patterns.Remove(pattern);
            Assert.True(tree.Remove(pattern, pattern));
        }

        Assert.False(tree.Remove("ab.a", "absent"));
        AssertAgrees(tree, patterns, subjects);
    }

    [Fact]
    public void A_pattern_costs_memory_in_proportion_to_its_characters_not_its_tokens()
    {
        // 256-byte patterns of about 125 tokens that share long prefixes: a node and a dictionary per token
        // cost about 42 KB each; compressed runs cost about the pattern's own characters.
        const int Patterns = 2_000;
        string prefix = string.Join('.', Enumerable.Repeat("x", 120));
        string[] patterns = [.. Enumerable.Range(0, Patterns).Select(i => $"{prefix}.{i % 7}.{i:D6}".PadRight(256, 'y'))];
        Assert.All(patterns, p => Assert.Null(Subject.Validate(p, SubjectKind.Pattern)));
        var tree = new SubjectTree<string>();

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (string pattern in patterns)
        {
            tree.Add(pattern, pattern);
        }

        long perPattern = (GC.GetAllocatedBytesForCurrentThread() - before) / Patterns;
        Assert.InRange(perPattern, 1, 3 * 1024);
        Assert.Equal([patterns[1234]], Match(tree, patterns[1234]));
    }

    private static void AssertAgrees(SubjectTree<string> tree, List<string> patterns, string[] subjects)
    {
        foreach (string subject in subjects)
        {
            string[] expected = [.. patterns.Where(p => Subject.Matches(p, subject)).Order(StringComparer.Ordinal)];
            Assert.Equal(expected, Match(tree, subject));
        }
    }

    private static string[] Match(SubjectTree<string> tree, string subject)
    {
        var results = new List<string>();
        tree.Match(subject, results);
        return [.. results.Order(StringComparer.Ordinal)];
    }
}
