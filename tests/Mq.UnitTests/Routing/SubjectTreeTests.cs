using Mq.Broker.Routing;
using Mq.Subjects;

namespace Mq.UnitTests.Routing;

public sealed class SubjectTreeTests
{
    [Fact]
    public void Match_returns_every_item_whose_pattern_matches()
    {
        var tree = new SubjectTree<string>();
        foreach (string pattern in new[] { "a.b.c", "a.*.c", "a.>", ">", "a.b", "*.*.*", "x.>" })
        {
            tree.Add(pattern, pattern);
        }

        Assert.Equal(["*.*.*", ">", "a.*.c", "a.>", "a.b.c"], Match(tree, "a.b.c"));
        Assert.Equal([">", "a.>", "a.b"], Match(tree, "a.b"));
        Assert.Equal([">"], Match(tree, "a"));
    }

    [Fact]
    public void One_item_under_two_matching_patterns_is_returned_twice()
    {
        var tree = new SubjectTree<string>();
        tree.Add("a.*", "item");
        tree.Add("a.>", "item");
        Assert.Equal(["item", "item"], Match(tree, "a.b"));
    }

    [Fact]
    public void Remove_takes_out_exactly_that_item_and_prunes_empty_branches()
    {
        var tree = new SubjectTree<string>();
        tree.Add("a.b.c", "one");
        tree.Add("a.b.c", "two");
        tree.Add("a.*.>", "three");

        Assert.True(tree.Remove("a.b.c", "one"));
        Assert.False(tree.Remove("a.b.c", "one"));
        Assert.False(tree.Remove("a.b.x", "two"));
        Assert.False(tree.Remove("a.*.c", "three"));
        Assert.Equal(2, tree.Count);
        Assert.Equal(["three", "two"], Match(tree, "a.b.c"));

        Assert.True(tree.Remove("a.b.c", "two"));
        Assert.True(tree.Remove("a.*.>", "three"));
        Assert.Equal(0, tree.Count);
        Assert.Empty(Match(tree, "a.b.c"));
    }

    [Fact]
    public void Matches_the_brute_force_definition_on_random_patterns_and_subjects()
    {
        // A property test: for random patterns and subjects over a small alphabet, the trie agrees with
        // Subject.Matches applied to every pattern. Fixed seed, so a failure reproduces.
        var random = new Random(20261124);
        string[] tokens = ["a", "b", "c"];
        var patterns = new List<string>();
        var tree = new SubjectTree<string>();
        for (int i = 0; i < 400; i++)
        {
            int length = random.Next(1, 5);
            string[] parts = Enumerable.Range(0, length).Select(_ => random.Next(6) switch
            {
                0 => "*",
                _ => tokens[random.Next(tokens.Length)],
            }).ToArray();
            if (random.Next(4) == 0)
            {
                parts[^1] = ">";
            }

            string pattern = string.Join('.', parts);
            patterns.Add(pattern);
            tree.Add(pattern, pattern);
        }

        for (int i = 0; i < 2000; i++)
        {
            string subject = string.Join('.', Enumerable.Range(0, random.Next(1, 6)).Select(_ => tokens[random.Next(tokens.Length)]));
            string[] expected = patterns.Where(p => Subject.Matches(p, subject)).Order(StringComparer.Ordinal).ToArray();
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
