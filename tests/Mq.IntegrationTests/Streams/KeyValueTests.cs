using System.Text;
using Mq.Broker.Security;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.Streams;

/// <summary>Key-value buckets on last-value streams: put, get, delete, compare-and-set, history, TTL, watch, restart, rights.</summary>
public sealed class KeyValueTests
{
    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(MqKeyValueEntry? entry) => entry is null ? "(none)" : Encoding.UTF8.GetString(entry.Value.Span);

    [Fact]
    public async Task Put_get_delete_and_keys()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue config = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "config" });

        ulong first = await config.PutAsync("app.colour", Bytes("red"));
        await config.PutAsync("app.size", Bytes("large"));
        ulong second = await config.PutAsync("app.colour", Bytes("blue"));
        MqKeyValueEntry? colour = await config.GetAsync("app.colour");

        Assert.Equal(("blue", second, MqKeyValueOperation.Put, "app.colour"), (Text(colour), colour!.Revision, colour.Operation, colour.Key));
        Assert.True(second > first);
        Assert.InRange(colour.Created, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Null(await config.GetAsync("app.missing"));
        Assert.Equal(["app.colour", "app.size"], (await config.KeysAsync()).Order(StringComparer.Ordinal));

        ulong deleted = await config.DeleteAsync("app.colour");
        Assert.Null(await config.GetAsync("app.colour"));
        Assert.Equal(["app.size"], await config.KeysAsync());
        Assert.Equal(["app.size"], await config.KeysAsync("app.*"));
        Assert.Empty(await config.KeysAsync("other.>"));
        Assert.True(deleted > second);
    }

    [Fact]
    public async Task Update_is_a_compare_and_set_and_a_stale_revision_conflicts()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue config = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "config", Storage = MqKeyValueStorage.Memory });

        ulong first = await config.PutAsync("limit", Bytes("1"));
        ulong second = await config.UpdateAsync("limit", Bytes("2"), first);
        MqKeyValueConflictException stale = await Assert.ThrowsAsync<MqKeyValueConflictException>(async () => await config.UpdateAsync("limit", Bytes("3"), first));

        Assert.Equal(("limit", first, ErrorCode.Conflict), (stale.Key, stale.ExpectedRevision, stale.Code));
        Assert.Contains($"is at revision {second}", stale.Message, StringComparison.Ordinal);
        Assert.Equal("2", Text(await config.GetAsync("limit")));
    }

    [Fact]
    public async Task Of_writers_racing_from_the_same_revision_exactly_one_wins()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient one = await broker.ConnectAsync("one");
        MqClient two = await broker.ConnectAsync("two");
        MqKeyValue first = await one.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "counters", Storage = MqKeyValueStorage.Memory });
        MqKeyValue second = two.KeyValue("counters");
        ulong start = await first.PutAsync("n", Bytes("0"));

        for (int round = 0; round < 20; round++)
        {
            Task<ulong>[] writes = [first.UpdateAsync("n", Bytes($"a{round}"), start).AsTask(), second.UpdateAsync("n", Bytes($"b{round}"), start).AsTask()];
            Task all = Task.WhenAll(writes);
            await Assert.ThrowsAsync<MqKeyValueConflictException>(() => all.WaitAsync(Waits.Default));

            ulong won = await Assert.Single(writes, w => w.IsCompletedSuccessfully);
            Assert.Equal(won, (await first.GetAsync("n"))!.Revision);
            start = won;
        }
    }

    [Fact]
    public async Task Create_writes_only_an_absent_key_also_after_a_delete_or_purge()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue locks = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "locks", Storage = MqKeyValueStorage.Memory });

        await locks.CreateAsync("job.1", Bytes("worker-a"));
        await Assert.ThrowsAsync<MqKeyValueConflictException>(async () => await locks.CreateAsync("job.1", Bytes("worker-b")));
        await locks.DeleteAsync("job.1");
        await locks.CreateAsync("job.1", Bytes("worker-b"));
        await locks.PurgeAsync("job.1");
        await locks.CreateAsync("job.1", Bytes("worker-c"));

        Assert.Equal("worker-c", Text(await locks.GetAsync("job.1")));
    }

    [Fact]
    public async Task History_keeps_the_bucket_depth_and_a_purge_leaves_only_itself()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue config = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "config", History = 3 });
        for (int i = 1; i <= 5; i++)
        {
            await config.PutAsync("v", Bytes($"{i}"));
        }

        await config.DeleteAsync("v");
        IReadOnlyList<MqKeyValueEntry> history = await config.HistoryAsync("v");
        await config.PurgeAsync("v");
        IReadOnlyList<MqKeyValueEntry> purged = await config.HistoryAsync("v");

        Assert.Equal(["4", "5", ""], history.Select(Text));
        Assert.Equal([MqKeyValueOperation.Put, MqKeyValueOperation.Put, MqKeyValueOperation.Delete], history.Select(e => e.Operation));
        Assert.Equal([MqKeyValueOperation.Purge], purged.Select(e => e.Operation));
        Assert.Empty(await config.HistoryAsync("never"));
    }

    [Fact]
    public async Task A_history_larger_than_one_reply_comes_whole_and_too_many_keys_are_refused_not_cut()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync(o => o.Broker.MaxPayloadBytes = 4096);
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue big = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "big", History = 5, Storage = MqKeyValueStorage.Memory });
        for (int i = 0; i < 5; i++)
        {
            await big.PutAsync("blob", Enumerable.Repeat((byte)('a' + i), 1500).ToArray());
        }

        for (int i = 0; i < 100; i++)
        {
            await big.PutAsync($"key.number.{i:D3}.with.a.longer.tail", Bytes("x"));
        }

        IReadOnlyList<MqKeyValueEntry> history = await big.HistoryAsync("blob");
        MqException tooMany = await Assert.ThrowsAnyAsync<MqException>(async () => await big.KeysAsync());

        Assert.Equal("abcde", string.Concat(history.Select(e => (char)e.Value.Span[0])));
        Assert.All(history, e => Assert.Equal(1500, e.Value.Length));
        Assert.Equal(ErrorCode.LimitExceeded, tooMany.Code);
        Assert.Contains("101 keys matching '>'", tooMany.Message, StringComparison.Ordinal);
        Assert.Equal(["key.number.007.with.a.longer.tail"], await big.KeysAsync("key.number.007.>"));
    }

    [Fact]
    public async Task A_value_expires_after_the_bucket_ttl_and_the_key_can_be_created_again()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue sessions = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "sessions", Ttl = TimeSpan.FromMilliseconds(300), Storage = MqKeyValueStorage.Memory });

        await sessions.CreateAsync("user.7", Bytes("token"));
        await Waits.UntilAsync(async () => await sessions.GetAsync("user.7") is null, "expiry of user.7");

        Assert.Empty(await sessions.KeysAsync());
        Assert.Empty(await sessions.HistoryAsync("user.7"));
        await sessions.CreateAsync("user.7", Bytes("again"));
        Assert.Equal("again", Text(await sessions.GetAsync("user.7")));
    }

    [Fact]
    public async Task A_watch_gets_the_current_values_then_says_so_then_gets_changes()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue config = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "config" });
        await config.PutAsync("app.a", Bytes("a1"));
        await config.PutAsync("app.b", Bytes("b1"));
        await config.PutAsync("app.a", Bytes("a2"));
        await config.PutAsync("other.x", Bytes("x1"));

        await using MqKeyValueWatch watch = await config.WatchAsync("app.>");
        await using IAsyncEnumerator<MqKeyValueEntry> entries = watch.GetAsyncEnumerator();
        MqKeyValueEntry b = await NextAsync(entries);
        Assert.False(watch.InitialValuesDone.IsCompleted);
        MqKeyValueEntry a = await NextAsync(entries);
        Assert.True(watch.InitialValuesDone.IsCompleted);

        await config.PutAsync("other.x", Bytes("x2"));
        await config.PutAsync("app.c", Bytes("c1"));
        await config.DeleteAsync("app.b");
        MqKeyValueEntry c = await NextAsync(entries);
        MqKeyValueEntry gone = await NextAsync(entries);

        Assert.Equal([("app.b", "b1"), ("app.a", "a2"), ("app.c", "c1")], new[] { b, a, c }.Select(e => (e.Key, Text(e))));
        Assert.Equal(("app.b", MqKeyValueOperation.Delete), (gone.Key, gone.Operation));
    }

    [Fact]
    public async Task A_watch_of_an_empty_bucket_is_done_with_its_initial_values_at_once()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue config = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "empty", Storage = MqKeyValueStorage.Memory });

        await using MqKeyValueWatch watch = await config.WatchAsync();
        await using IAsyncEnumerator<MqKeyValueEntry> entries = watch.GetAsyncEnumerator();
        Assert.True(watch.InitialValuesDone.IsCompleted);
        await config.PutAsync("k", Bytes("v"));

        Assert.Equal("v", Text(await NextAsync(entries)));
    }

    [Fact]
    public async Task A_file_bucket_keeps_its_values_and_revisions_across_a_broker_restart()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue config = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "config", History = 2 });
        await config.PutAsync("a", Bytes("a1"));
        ulong a2 = await config.PutAsync("a", Bytes("a2"));
        await config.PutAsync("b", Bytes("b1"));
        await config.DeleteAsync("b");

        await broker.RestartAsync();
        config = (await broker.ConnectAsync("again")).KeyValue("config");

        MqKeyValueEntry? a = await config.GetAsync("a");
        Assert.Equal(("a2", a2), (Text(a), a!.Revision));
        Assert.Equal(["a"], await config.KeysAsync());
        Assert.Equal(["a1", "a2"], (await config.HistoryAsync("a")).Select(Text));
        await config.UpdateAsync("a", Bytes("a3"), a2);
        await Assert.ThrowsAsync<MqKeyValueConflictException>(async () => await config.CreateAsync("a", Bytes("x")));
    }

    [Fact]
    public async Task Rights_follow_the_keys_subjects_and_a_peer_without_them_is_refused_clearly()
    {
        var admin = new PolicyRole
        {
            Publish = new PolicyRule { Allow = [">"] },
            Subscribe = new PolicyRule { Allow = [">"] },
            Request = new PolicyRule { Allow = ["$SYS.>"] },
        };
        var reader = new PolicyRole
        {
            Publish = new PolicyRule { Allow = ["$KV.config.public.>"] },
            Subscribe = new PolicyRule { Allow = ["$KV.config.public.>"] },
        };
        await using StreamBroker broker = await StreamBroker.StartAsync(o => o.AddIdentity("admin", admin).AddIdentity("reader", reader));
        MqKeyValue byAdmin = await (await broker.ConnectAsync("admin", "admin")).CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "config" });
        await byAdmin.PutAsync("secret.key", Bytes("s"));
        MqClient client = await broker.ConnectAsync("reader", "reader");
        MqKeyValue config = client.KeyValue("config");

        await config.PutAsync("public.motd", Bytes("hello"));
        Assert.Equal("hello", Text(await config.GetAsync("public.motd")));
        Assert.Equal(["public.motd"], await config.KeysAsync("public.>"));
        await using (MqKeyValueWatch allowed = await config.WatchAsync("public.*"))
        {
            await using IAsyncEnumerator<MqKeyValueEntry> entries = allowed.GetAsyncEnumerator();
            Assert.Equal("hello", Text(await NextAsync(entries)));
        }

        PermissionDeniedException get = await Assert.ThrowsAsync<PermissionDeniedException>(async () => await config.GetAsync("secret.key"));
        Assert.Contains("needs subscribe permission on it, which identity 'reader' lacks", get.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await config.PutAsync("secret.key", Bytes("mine")));
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await config.HistoryAsync("secret.key"));
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await config.KeysAsync());
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await config.WatchAsync());
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "mine" }));
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await client.DeleteKeyValueAsync("config"));
        Assert.Equal("s", Text(await byAdmin.GetAsync("secret.key")));
    }

    [Fact]
    public async Task Keys_with_wildcards_a_bad_bucket_and_a_missing_bucket_are_refused_with_the_reason()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue config = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "config", Storage = MqKeyValueStorage.Memory });

        ArgumentException wildcard = await Assert.ThrowsAsync<ArgumentException>(async () => await config.PutAsync("app.*", Bytes("x")));
        Assert.StartsWith("'app.*' is not a key (tokens separated by '.', no wildcards '*' or '>')", wildcard.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await config.GetAsync("a..b"));
        Assert.Throws<ArgumentException>(() => client.KeyValue("no.dots"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MqKeyValueOptions { Bucket = "b", History = 0 }.Validate());

        MqException missing = await Assert.ThrowsAnyAsync<MqException>(async () => await client.KeyValue("nothing").GetAsync("k"));
        Assert.Equal((ErrorCode.NoStream, "no key-value bucket 'nothing'"), (missing.Code, missing.Message));
        MqException put = await Assert.ThrowsAnyAsync<MqException>(async () => await client.KeyValue("nothing").PutAsync("k", Bytes("v")));
        Assert.Equal(ErrorCode.NoStream, put.Code);
        MqException other = await Assert.ThrowsAnyAsync<MqException>(async () => await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "config", History = 5, Storage = MqKeyValueStorage.Memory }));
        Assert.Equal(ErrorCode.Conflict, other.Code);
    }

    [Fact]
    public async Task The_admin_requests_list_inspect_and_delete_buckets()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        MqKeyValue config = await client.CreateKeyValueAsync(new MqKeyValueOptions { Bucket = "config", History = 4, Ttl = TimeSpan.FromHours(1) });
        ulong one = await config.PutAsync("a", Bytes("1"));
        await config.PutAsync("a", Bytes("2"));

        Dictionary<string, object?> first = await StreamBroker.AdminAsync(client, "$SYS.kv.get", new() { ["bucket"] = "config", ["key"] = "a", ["revision"] = one });
        Assert.Equal((true, "1"), (first["found"], Encoding.UTF8.GetString((byte[])first["value"]!)));
        Dictionary<string, object?> info = await StreamBroker.AdminAsync(client, "$SYS.kv.info", new() { ["bucket"] = "config" });
        Dictionary<string, object?> list = await StreamBroker.AdminAsync(client, "$SYS.kv.list", []);
        await client.DeleteKeyValueAsync("config");
        Dictionary<string, object?> after = await StreamBroker.AdminAsync(client, "$SYS.kv.list", []);

        Assert.Equal(("config", "KV_config", 4L, 3_600_000L, "file", 1L), (info["bucket"], info["stream"], Convert.ToInt64(info["history"]), Convert.ToInt64(info["ttl_ms"]), info["storage"], Convert.ToInt64(info["keys"])));
        Assert.Equal(1L, Convert.ToInt64(list["total"]));
        Assert.Equal(0L, Convert.ToInt64(after["total"]));
        await Assert.ThrowsAnyAsync<MqException>(async () => await config.GetAsync("a"));
    }

    private static async Task<MqKeyValueEntry> NextAsync(IAsyncEnumerator<MqKeyValueEntry> entries)
    {
        Assert.True(await entries.MoveNextAsync().AsTask().WaitAsync(Waits.Default), "the watch ended");
        return entries.Current;
    }
}
