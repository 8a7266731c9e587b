using System.CommandLine;

namespace Mq.CommandLine;

/// <summary>
/// A subject, pattern or service name, given as the command's first argument (as <c>nats pub orders.eu ...</c>
/// takes it) or with its option; one of the two, never both, and at least one name.
/// </summary>
internal sealed class NameInput
{
    private readonly string _what;
    private readonly string _usage;
    private readonly bool _many;

    /// <param name="what">What the name is, for errors: "subject", "service".</param>
    /// <param name="usage">How the command is called with it positionally, for the error when it is missing.</param>
    /// <param name="many">True if several names may be given (subscribe's patterns).</param>
    /// <param name="description">The help text of both the argument and the option.</param>
    /// <param name="aliases">The option's name, then its aliases (<c>--subject</c>, <c>--topic</c>, <c>-t</c>).</param>
    public NameInput(string what, string usage, bool many, string description, params string[] aliases)
    {
        _what = what;
        _usage = usage;
        _many = many;
        Argument = many
            ? new Argument<string[]>(what) { Description = description, Arity = ArgumentArity.ZeroOrMore }
            : new Argument<string?>(what) { Description = description, Arity = ArgumentArity.ZeroOrOne };
        Option = many
            ? new Option<string[]>(aliases[0], aliases[1..]) { Description = description + " (repeatable)" }
            : new Option<string?>(aliases[0], aliases[1..]) { Description = description };
    }

    public Argument Argument { get; }

    /// <summary>When this holds for the command's result, no name is needed (another option says what to read).</summary>
    public Func<System.CommandLine.Parsing.CommandResult, bool>? NotRequiredWhen { get; init; }

    public Option Option { get; }

    public void AddTo(Command command)
    {
        command.Arguments.Add(Argument);
        command.Options.Add(Option);
        command.Validators.Add(result =>
        {
            int positional = result.GetResult(Argument)?.Tokens.Count ?? 0;
            int named = result.GetResult(Option)?.Tokens.Count ?? 0;

            // The parser hands an unknown option (--heder=x) to a free argument; no name starts with a dash.
            if (result.GetResult(Argument)?.Tokens.FirstOrDefault(t => t.Value.StartsWith('-')) is { } stray)
            {
                result.AddError($"Unrecognized command or argument '{stray.Value}'");
            }
            else if (positional + named == 0 && NotRequiredWhen?.Invoke(result) != true)
            {
                result.AddError($"a {_what} is required: {_usage}, or {Option.Name} {_what.ToUpperInvariant()}");
            }
            else if (positional > 0 && named > 0)
            {
                result.AddError($"give the {_what} either as the first argument or with {Option.Name}, not both");
            }
            else if (!_many && named > 1)
            {
                result.AddError($"give only one {_what}");
            }
        });
    }

    /// <summary>The names as given; read from the tokens, so one reading serves the single and the repeatable form.</summary>
    public string[] Values(ParseResult parse) =>
        [.. Tokens(parse.GetResult(Argument)?.Tokens), .. Tokens(parse.GetResult(Option)?.Tokens)];

    public string Value(ParseResult parse) => Values(parse)[0];

    private static IEnumerable<string> Tokens(IReadOnlyList<System.CommandLine.Parsing.Token>? tokens) => tokens?.Select(t => t.Value) ?? [];
}
