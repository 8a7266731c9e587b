namespace Mq.IntegrationTests.Processes;

/// <summary>
/// A test that runs for minutes: skipped (saying how to run it) unless MQ_SOAK_MINUTES is set, e.g.
/// <c>MQ_SOAK_MINUTES=3 dotnet test tests/Mq.IntegrationTests --filter Soak</c>.
/// </summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public const string Variable = "MQ_SOAK_MINUTES";

    public SoakFactAttribute()
    {
        if (Minutes is null)
        {
            Skip = $"soak test: set {Variable} (1 to 60) to run it, e.g. {Variable}=3 dotnet test tests/Mq.IntegrationTests --filter Soak";
        }
    }

    public static double? Minutes =>
        double.TryParse(Environment.GetEnvironmentVariable(Variable), System.Globalization.CultureInfo.InvariantCulture, out double minutes) && minutes is > 0 and <= 60
            ? minutes
            : null;
}
