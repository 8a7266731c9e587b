using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests.Demo;

/// <summary>A test that needs a running Docker engine and docker-compose; skipped, saying so, where there is none.</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Missing = new(() =>
        !ExternalCommand.Succeeds("docker", "info") ? "Docker is not available here (docker info failed); .ci/run installs and starts it"
        : !ExternalCommand.Succeeds("docker-compose", "version") ? "docker-compose is not installed; .ci/run installs it"
        : null);

    public DockerFactAttribute()
    {
        if (Missing.Value is { } reason)
        {
            Skip = reason;
        }
    }
}
