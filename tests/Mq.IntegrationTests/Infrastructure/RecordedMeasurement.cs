namespace Mq.IntegrationTests.Infrastructure;

/// <summary>One measurement a <see cref="MetricRecorder"/> saw.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
