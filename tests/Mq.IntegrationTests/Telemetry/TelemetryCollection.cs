namespace Mq.IntegrationTests.Telemetry;

/// <summary>
/// Listeners see every client of the process and the "no listener" tests need none at all, so these tests run
/// alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}
