using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace Mq.CommandLine;

/// <summary>
/// Range checks on numeric options, run by the parser: a value that parses but makes no sense (<c>--count 0</c>)
/// is a usage error (exit 1) before anything connects.
/// </summary>
internal static class OptionRules
{
    public static Option<T> AtLeast<T>(this Option<T> option, T minimum)
        where T : struct, INumber<T>
    {
        AddRule<T>(option, value => value >= minimum, $"{option.Name} must be at least {minimum}");
        return option;
    }

    public static Option<T?> AtLeast<T>(this Option<T?> option, T minimum)
        where T : struct, INumber<T>
    {
        AddRule<T>(option, value => value >= minimum, $"{option.Name} must be at least {minimum}");
        return option;
    }

    public static Option<T> Positive<T>(this Option<T> option)
        where T : struct, INumber<T>
    {
        AddRule<T>(option, value => value > T.Zero, $"{option.Name} must be positive");
        return option;
    }

    public static Option<T?> Positive<T>(this Option<T?> option)
        where T : struct, INumber<T>
    {
        AddRule<T>(option, value => value > T.Zero, $"{option.Name} must be positive");
        return option;
    }

    private static void AddRule<T>(Option option, Func<T, bool> holds, string message)
        where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            // Reads the given token itself: a value that does not parse is the parser's error to report, and
            // GetValueOrDefault would throw on it. Defaults are not checked; they are ours.
            if (result.Tokens is [var token] && T.TryParse(token.Value, CultureInfo.InvariantCulture, out T value) && !holds(value))
            {
                result.AddError(message);
            }
        });
    }
}
