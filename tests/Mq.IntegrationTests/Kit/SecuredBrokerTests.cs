using Mq.Broker.Security;
using Mq.Client;
using Mq.Errors;
using Mq.Testing;

namespace Mq.IntegrationTests.Kit;

/// <summary>A secured test broker: generated broker key, identities and policy, and ready-made client options.</summary>
public sealed class SecuredBrokerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Identities_get_what_their_roles_allow_and_quiet_still_works(bool asProcess)
    {
        await using TestBroker broker = await TestBroker.StartAsync(o =>
        {
            o.AsProcess = asProcess;
            o.AddIdentity("writer", new PolicyRole { Publish = new PolicyRule { Allow = ["orders.>"] } });
            o.AddIdentity("reader", new PolicyRole { Subscribe = new PolicyRule { Allow = ["orders.>"] } });
        });
        await using MessageRecorder<int> reader = await broker.RecordAsync<int>("orders.>", identity: "reader");
        await using MqClient writer = await broker.ConnectAsync("writer-peer", identity: "writer");

        await writer.PublishAsync("orders.1", 1);
        await writer.FlushAsync();
        await writer.PublishAsync("billing.1", 2);
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await writer.FlushAsync());
        if (broker.Process is { } process)
        {
            // The broker process's log is the test's to read, as any peer's output.
            await process.WaitForLineAsync("Peer writer-peer", Bound, onStandardError: true);
        }

        await reader.WaitForCountAsync(1, Bound);
        await broker.WaitForQuietAsync(Bound);
        Assert.Single(reader.Messages);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(broker.Security!.KeyFile("writer")));
    }

    [Fact]
    public async Task Under_a_policy_asking_for_quiet_needs_request_permission_on_its_name()
    {
        await using TestBroker broker = await TestBroker.StartAsync(o => o.AddIdentity("plain", new PolicyRole { Request = new PolicyRule { Allow = ["work.>"] } }));
        await using MqClient plain = await broker.ConnectAsync("plain-peer", identity: "plain");

        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await plain.RequestAsync<bool, bool>("$SYS.quiet", true));
        await broker.WaitForQuietAsync(Bound);
    }

    [Fact]
    public async Task A_client_without_the_pinned_broker_key_is_not_let_in()
    {
        await using TestBroker broker = await TestBroker.StartAsync(o => o.Secure = true);
        await using MqClient pinned = await broker.ConnectAsync("pinned");
        Assert.Equal(ConnectionState.Connected, pinned.State);

        await Assert.ThrowsAnyAsync<MqException>(async () =>
            await MqClient.ConnectAsync(broker.ClientOptions("unpinned") with { BrokerPublicKey = null, ConnectTimeout = TimeSpan.FromSeconds(1) }));
    }

    [Fact]
    public async Task The_security_folder_is_deleted_with_the_broker()
    {
        string folder;
        await using (TestBroker broker = await TestBroker.StartAsync(o => o.Secure = true))
        {
            folder = broker.Security!.Directory;
            Assert.True(File.Exists(broker.Security.BrokerPublicKeyFile));
        }

        Assert.False(Directory.Exists(folder));
    }
}
