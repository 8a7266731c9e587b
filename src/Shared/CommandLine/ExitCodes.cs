using Mq.Errors;
using Mq.Protocol;

namespace Mq.CommandLine;

/// <summary>The exit codes of Mq's command-line peers (documented in the README). 1 is System.CommandLine's usage error.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Usage = 1;
    public const int NotConnected = 2;
    public const int NoResponders = 3;
    public const int Timeout = 4;
    public const int RemoteError = 5;
    public const int InvalidSubject = 6;
    public const int BadPayload = 7;
    public const int PermissionDenied = 8;
    public const int BrokerError = 9;
    public const int ResponderLost = 10;

    public static int For(MqException error) => error switch
    {
        NotConnectedException => NotConnected,
        NoRespondersException => NoResponders,
        MqTimeoutException => Timeout,
        RemoteErrorException => RemoteError,
        InvalidSubjectException => InvalidSubject,
        PermissionDeniedException => PermissionDenied,
        ResponderLostException => ResponderLost,
        _ when error.Code == ErrorCode.TooLarge => BadPayload,
        _ => BrokerError,
    };
}
