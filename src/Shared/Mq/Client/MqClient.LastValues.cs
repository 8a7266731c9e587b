using Mq.Subjects;

namespace Mq.Client;

/// <summary>Reading part of a stream: a subject filter, and the current values of a stream keeping last values.</summary>
public sealed partial class MqClient
{
    /// <summary>
    /// Reads the stream <paramref name="stream"/> from <paramref name="start"/>, only the messages whose subject
    /// <paramref name="filter"/> (a pattern) matches. With <see cref="StreamStart.LastPerSubject"/> on a stream keeping
    /// last values, the newest message of each matching subject comes first (in sequence order), then each change as
    /// it is stored, with no gap or repeat between the two. Needs subscribe permission on <paramref name="filter"/>.
    /// </summary>
    /// <exception cref="Errors.MqException">Code <see cref="Protocol.ErrorCode.NoStream"/> when there is no such stream;
    /// <see cref="Protocol.ErrorCode.Malformed"/> when the stream keeps no last values but the start asks for them.</exception>
    public async ValueTask<MqSubscription> ConsumeAsync(string stream, string filter, StreamStart start, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        Subject.Ensure(filter, SubjectKind.Pattern);
        EnsureUsable();
        EnsureConnected();
        var subscription = MqSubscription.ForStream(this, (ulong)Interlocked.Increment(ref _lastSid), stream, start, null, _options.SubscriptionCapacity, filter);
        return await OpenAsync(subscription, $"consume stream '{stream}' ({filter})", cancellationToken).ConfigureAwait(false);
    }
}
