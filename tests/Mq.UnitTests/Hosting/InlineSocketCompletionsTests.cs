using Mq.Hosting;

namespace Mq.UnitTests.Hosting;

public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void Turns_inline_completions_on_when_the_environment_is_silent()
    {
        var environment = new Dictionary<string, string>();

        bool on = InlineSocketCompletions.Enable(name => environment.GetValueOrDefault(name), (name, value) => environment[name] = value);

        Assert.True(on);
        Assert.Equal("1", environment[InlineSocketCompletions.Variable]);
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("1", true)]
    public void Keeps_what_the_operator_chose(string chosen, bool expected)
    {
        var environment = new Dictionary<string, string> { [InlineSocketCompletions.Variable] = chosen };

        bool on = InlineSocketCompletions.Enable(name => environment.GetValueOrDefault(name), (name, value) => environment[name] = value);

        Assert.Equal(expected, on);
        Assert.Equal(chosen, environment[InlineSocketCompletions.Variable]);
    }
}
