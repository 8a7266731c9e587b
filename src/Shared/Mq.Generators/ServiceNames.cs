namespace Mq.Generators;

/// <summary>The rules of a service name (Mq.Subjects.Subject), checked at compile time: a contract name that breaks them would fail every call.</summary>
internal static class ServiceNames
{
    public static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        foreach (string token in name.Split('.'))
        {
            if (token.Length == 0)
            {
                return "it has an empty token (two dots, or a dot at an end)";
            }

            if (token.IndexOfAny(['*', '>']) >= 0)
            {
                return "it contains a wildcard ('*' and '>' are allowed only in subscription patterns)";
            }

            if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                return "it contains whitespace or a control character";
            }
        }

        return null;
    }
}
