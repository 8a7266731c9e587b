using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Mq.BrowserTests;

/// <summary>
/// Headless Debian chromium through its own chromedriver: both paths are given, so Selenium looks nothing up
/// and downloads nothing. Disposing quits the browser and then kills the chromedriver process by its id if it
/// is still there.
/// </summary>
internal sealed class Chromium : IDisposable
{
    public const string Browser = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly ChromeDriverService _service;
    private readonly int _driverProcess;

    private Chromium(ChromeDriverService service, IWebDriver driver)
    {
        _service = service;
        WebDriver = driver;
        _driverProcess = service.ProcessId;
    }

    public IWebDriver WebDriver { get; }

    /// <summary>Starts the browser; fails with what to install when chromium or chromedriver is missing.</summary>
    public static Chromium Start()
    {
        string[] missing = new[] { Browser, Driver }.Where(path => !File.Exists(path)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException(
                $"the browser tests need Debian's chromium and chromium-driver ({string.Join(", ", missing)} missing): "
                + "run scripts/ci-setup.sh, or apt-get install -y chromium chromium-driver");
        }

        ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver), Path.GetFileName(Driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        // No sandbox: CI runs as root in a container, where chromium's sandbox cannot start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900", "--no-first-run", "--disable-extensions");
        try
        {
            return new Chromium(service, new ChromeDriver(service, options, CommandTimeout));
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            WebDriver.Quit();
        }
        finally
        {
            WebDriver.Dispose();
            _service.Dispose();
            KillDriverIfLeft();
        }
    }

    private void KillDriverIfLeft()
    {
        try
        {
            using var process = Process.GetProcessById(_driverProcess);
            if (process.ProcessName.Contains("chromedriver", StringComparison.Ordinal))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (ArgumentException)
        {
            // Already gone, as it should be.
        }
    }
}
