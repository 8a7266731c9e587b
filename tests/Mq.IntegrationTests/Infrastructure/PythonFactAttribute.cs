using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>
/// A test that runs a Python peer under Debian's interpreter with python3-zmq and python3-cryptography. Where they
/// are missing it is skipped, saying so; under CI (<c>CI=true</c>, where scripts/ci-setup.sh installs them) it
/// runs anyway, so a broken set-up fails instead of hiding.
/// </summary>
public sealed class PythonFactAttribute : FactAttribute
{
    /// <summary>Debian's interpreter, where Debian's Python packages load.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() => ExternalCommand.Succeeds(Python, "-c", "import zmq, cryptography"));

    public PythonFactAttribute()
    {
        if (!Available.Value && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{Python} lacks zmq or cryptography (Debian's python3-zmq, python3-cryptography; scripts/ci-setup.sh installs them)";
        }
    }
}
