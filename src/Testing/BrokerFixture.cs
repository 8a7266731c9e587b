using Xunit;

namespace Mq.Testing;

/// <summary>
/// An xunit fixture holding a <see cref="TestBroker"/>: use it as a class fixture (<c>IClassFixture&lt;BrokerFixture&gt;</c>)
/// or a collection fixture (<c>ICollectionFixture&lt;BrokerFixture&gt;</c> on a <c>[CollectionDefinition]</c>). The
/// broker runs in-process; derive and override <see cref="Configure"/> for a process broker, security or settings.
/// </summary>
public class BrokerFixture : IAsyncLifetime
{
    private TestBroker? _broker;

    /// <summary>The fixture's broker, started before the first test that uses it.</summary>
    public TestBroker Broker => _broker ?? throw new InvalidOperationException("the fixture's broker has not started (xunit calls InitializeAsync first)");

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(Configure);

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    /// <summary>Changes the broker's options before it starts (e.g. <c>options.AsProcess = true</c>).</summary>
    protected virtual void Configure(TestBrokerOptions options)
    {
    }
}
