using Mq.Subjects;

namespace Mq.Broker.Security;

/// <summary>
/// One identity's rights, merged from its roles: allowed if some role allows it and no role denies it; denied by
/// default. Literal subjects and service names are matched against the patterns; subscription patterns must be
/// covered by an allowed pattern and must not overlap a denied one.
/// </summary>
internal sealed class Permissions
{
    private readonly string[] _publishAllow, _publishDeny, _subscribeAllow, _subscribeDeny, _serveAllow, _serveDeny, _requestAllow, _requestDeny, _flowAllow, _flowDeny;

    public Permissions(IEnumerable<PolicyRole> roles)
    {
        PolicyRole[] all = [.. roles];
        _publishAllow = [.. all.SelectMany(r => r.Publish.Allow)];
        _publishDeny = [.. all.SelectMany(r => r.Publish.Deny)];
        _subscribeAllow = [.. all.SelectMany(r => r.Subscribe.Allow)];
        _subscribeDeny = [.. all.SelectMany(r => r.Subscribe.Deny)];
        _serveAllow = [.. all.SelectMany(r => r.Serve.Allow)];
        _serveDeny = [.. all.SelectMany(r => r.Serve.Deny)];
        _requestAllow = [.. all.SelectMany(r => r.Request.Allow)];
        _requestDeny = [.. all.SelectMany(r => r.Request.Deny)];
        _flowAllow = [.. all.SelectMany(r => r.FlowControl.Allow)];
        _flowDeny = [.. all.SelectMany(r => r.FlowControl.Deny)];
    }

    public bool CanPublish(ReadOnlySpan<char> subject) => Literal(subject, _publishAllow, _publishDeny);

    public bool CanServe(ReadOnlySpan<char> service) => Literal(service, _serveAllow, _serveDeny);

    public bool CanRequest(ReadOnlySpan<char> service) => Literal(service, _requestAllow, _requestDeny);

    public bool CanSubscribe(string pattern) => Covered(pattern, _subscribeAllow, _subscribeDeny);

    /// <summary>Whether a subscription to <paramref name="pattern"/> may ask for flow control (on top of <see cref="CanSubscribe"/>).</summary>
    public bool CanFlowControl(string pattern) => Covered(pattern, _flowAllow, _flowDeny);

    private static bool Covered(string pattern, string[] allow, string[] deny)
    {
        foreach (string denied in deny)
        {
            if (PatternRelation.Overlaps(denied, pattern))
            {
                return false;
            }
        }

        foreach (string allowed in allow)
        {
            if (PatternRelation.Covers(allowed, pattern))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Literal(ReadOnlySpan<char> name, string[] allow, string[] deny)
    {
        foreach (string pattern in deny)
        {
            if (Subject.Matches(pattern, name))
            {
                return false;
            }
        }

        foreach (string pattern in allow)
        {
            if (Subject.Matches(pattern, name))
            {
                return true;
            }
        }

        return false;
    }
}
