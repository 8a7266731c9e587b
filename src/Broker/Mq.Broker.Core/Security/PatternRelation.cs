namespace Mq.Broker.Security;

/// <summary>
/// How two subject patterns relate, token by token (<c>*</c> one token, <c>&gt;</c> one or more at the end):
/// whether one matches everything the other does, and whether any subject matches both. A subscription is
/// allowed only if an allowed pattern covers it and no denied pattern overlaps it, so no wildcard reaches a
/// denied subject.
/// </summary>
internal static class PatternRelation
{
    /// <summary>True if every subject <paramref name="inner"/> matches is matched by <paramref name="outer"/>.</summary>
    public static bool Covers(string outer, string inner)
    {
        string[] o = outer.Split('.');
        string[] i = inner.Split('.');
        for (int k = 0; k < o.Length; k++)
        {
            if (o[k] == ">")
            {
                return k < i.Length;
            }

            if (k >= i.Length || i[k] == ">")
            {
                return false;
            }

            if (o[k] != "*" && (i[k] == "*" || o[k] != i[k]))
            {
                return false;
            }
        }

        return o.Length == i.Length;
    }

    /// <summary>True if some subject matches both patterns.</summary>
    public static bool Overlaps(string a, string b)
    {
        string[] x = a.Split('.');
        string[] y = b.Split('.');
        for (int k = 0; ; k++)
        {
            bool xEnd = k >= x.Length, yEnd = k >= y.Length;
            if (xEnd || yEnd)
            {
                return xEnd && yEnd;
            }

            if (x[k] == ">" || y[k] == ">")
            {
                return true;
            }

            if (x[k] != "*" && y[k] != "*" && x[k] != y[k])
            {
                return false;
            }
        }
    }
}
