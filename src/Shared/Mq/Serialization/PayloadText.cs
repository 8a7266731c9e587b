namespace Mq.Serialization;

/// <summary>How a payload that is not what its format says is shown as JSON: its bytes, so nothing is hidden or misread.</summary>
internal static class PayloadText
{
    public static string Base64(ReadOnlyMemory<byte> payload) => "\"base64:" + Convert.ToBase64String(payload.Span) + "\"";
}
