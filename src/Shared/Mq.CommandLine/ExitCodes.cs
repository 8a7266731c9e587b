using Mq.Errors;
using Mq.Protocol;

namespace Mq.CommandLine;

/// <summary>
/// The exit codes of Mq's command-line peers, all in one place (documented in the README). Every non-zero code
/// comes with one line on stderr naming the cause.
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Bad arguments: System.CommandLine's parse errors and the option validators.</summary>
    public const int Usage = 1;
    public const int NotConnected = 2;
    public const int NoResponders = 3;

    /// <summary>A request's timeout, or <c>subscribe --count</c> not reached within <c>--timeout</c>.</summary>
    public const int Timeout = 4;
    public const int RemoteError = 5;
    public const int InvalidSubject = 6;

    /// <summary>Invalid JSON, a bad <c>--header</c>, or a payload larger than the broker accepts.</summary>
    public const int BadPayload = 7;
    public const int PermissionDenied = 8;

    /// <summary>Any other error the broker reported (a per-peer limit, overload, shutting down...).</summary>
    public const int BrokerError = 9;
    public const int ResponderLost = 10;

    /// <summary>
    /// Ctrl+C or SIGTERM cut a finite command (publish, request) short: 128 + SIGINT, as shells report it.
    /// Long-running commands (subscribe, serve) stopped by a signal exit <see cref="Success"/>.
    /// </summary>
    public const int Interrupted = 130;

    public static int For(MqException error) => error switch
    {
        NotConnectedException => NotConnected,
        NoRespondersException => NoResponders,
        MqTimeoutException => Timeout,
        RemoteErrorException => RemoteError,
        InvalidSubjectException => InvalidSubject,
        PermissionDeniedException or UnauthenticatedException => PermissionDenied,
        ResponderLostException => ResponderLost,
        _ when error.Code == ErrorCode.TooLarge => BadPayload,
        _ => BrokerError,
    };
}
