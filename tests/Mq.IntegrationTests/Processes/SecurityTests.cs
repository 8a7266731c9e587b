using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// A broker process with a security policy, identities made with <c>Mq.Broker identity</c>, and real clients:
/// a low-privilege peer tries every way past its rights and fails, while the trusted peers go on unaffected.
/// </summary>
public sealed class SecurityTests : IAsyncLifetime
{
    private SecuredBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await SecuredBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_low_privilege_peer_gets_nothing_beyond_its_rights_and_the_trusted_peers_are_unaffected()
    {
        await using MqClient trusted = await ConnectAsync("trusted");
        await using MqClient guest = await ConnectAsync("guest");
        await using MqSubscription orders = await trusted.SubscribeAsync("orders.>");
        await using MqService billing = await trusted.ServeAsync("billing.charge", (request, _) => ValueTask.FromResult(request.Data));

        // Reading what it may not, by every route.
        foreach ((string pattern, string? group) in new (string, string?)[] { ("orders.>", null), ("orders.*", null), ("*.new", null), (">", null), (">", "orders-workers") })
        {
            await Assert.ThrowsAsync<PermissionDeniedException>(async () => await guest.SubscribeAsync(pattern, group));
        }

        // Hijacking the trusted service, calling it, publishing into trusted subjects.
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await guest.ServeAsync("billing.charge", (r, _) => ValueTask.FromResult(r.Data)));
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await guest.RequestAsync("billing.charge", new byte[] { 1 }));
        var refused = new TaskCompletionSource<MqException>(TaskCreationOptions.RunContinuationsAsynchronously);
        guest.Error += (_, e) => refused.TrySetResult(e.Error);
        await guest.PublishAsync("orders.fake", new byte[] { 6, 6, 6 });
        Assert.IsType<PermissionDeniedException>(await refused.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        // The next flush reports the refusal too, once; the one after has nothing to report.
        PermissionDeniedException flushed = await Assert.ThrowsAsync<PermissionDeniedException>(async () => await guest.FlushAsync());
        Assert.Contains("'orders.fake' is not allowed", flushed.Message);
        await guest.FlushAsync();

        // The trusted traffic went on, and saw none of the guest's attempts.
        await trusted.PublishAsync("orders.real", new byte[] { 1 });
        MqMessage only = (await orders.TakeAsync(1)).Single();
        Assert.Equal("orders.real", only.Subject);
        MqReply reply = await trusted.RequestAsync("billing.charge", new byte[] { 42 });
        Assert.Equal([42], reply.Data.ToArray());
    }

    [Fact]
    public async Task Without_an_identity_or_with_someone_elses_key_a_peer_is_not_admitted()
    {
        var anonymous = MqClientOptions.Default with { Endpoint = _broker.Endpoint, Name = "anonymous", ConnectTimeout = TimeSpan.FromSeconds(10), BrokerPublicKey = _broker.BrokerPublicKey };
        await Assert.ThrowsAsync<UnauthenticatedException>(async () => await MqClient.ConnectAsync(anonymous));

        // Without the broker key there is no channel, and without a channel nothing but SECURE is read.
        var plaintext = anonymous with { Name = "plaintext", BrokerPublicKey = null, Identity = "trusted", IdentityKeyFile = _broker.KeyFile("trusted") };
        var refused = await Assert.ThrowsAsync<NotConnectedException>(async () => await MqClient.ConnectAsync(plaintext));
        Assert.Equal(Mq.Protocol.ErrorCode.EncryptionRequired, refused.Code);

        var spoofing = anonymous with { Name = "spoofer", Identity = "trusted", IdentityKeyFile = _broker.KeyFile("guest") };
        await Assert.ThrowsAsync<UnauthenticatedException>(async () => await MqClient.ConnectAsync(spoofing));

        await using MqClient trusted = await ConnectAsync("trusted");
        Assert.NotNull(trusted.PeerId);
    }

    [Fact]
    public async Task Editing_the_policy_revokes_a_live_subscription_and_the_peer_is_told()
    {
        await using MqClient guest = await ConnectAsync("guest");
        MqSubscription news = await guest.SubscribeAsync("public.news");
        var revoked = new TaskCompletionSource<MqException>(TaskCreationOptions.RunContinuationsAsynchronously);
        guest.Error += (_, e) => revoked.TrySetResult(e.Error);

        await _broker.WritePolicyAsync(guestSubscribes: "public.weather");

        MqException error = await revoked.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.IsType<PermissionDeniedException>(error);
        Assert.Contains("public.news", error.Message);
        await news.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        await using MqSubscription weather = await guest.SubscribeAsync("public.weather");
    }

    private Task<MqClient> ConnectAsync(string identity) =>
        MqClient.ConnectAsync(_broker.ClientOptions(identity)).AsTask();
}
