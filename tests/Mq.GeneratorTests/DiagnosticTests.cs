using Microsoft.CodeAnalysis;

namespace Mq.GeneratorTests;

/// <summary>Every diagnostic the generator reports: its id, where, and a message that says what to do.</summary>
public sealed class DiagnosticTests
{
    [Theory]
    [InlineData("MQRPC001", "Task M(ref int count);", "Parameter 'count' of contract method 'M' is ref: a remote call copies its arguments one way", "count")]
    [InlineData("MQRPC001", "Task M(out int count);", "is out", "count")]
    [InlineData("MQRPC001", "Task M(in int count);", "is in", "count")]
    [InlineData("MQRPC002", "int M();", "Contract method 'M' returns 'int': a contract method returns Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>", "M")]
    [InlineData("MQRPC002", "IEnumerable<int> M();", "returns 'System.Collections.Generic.IEnumerable<int>'", "M")]
    [InlineData("MQRPC003", "Task<T> M<T>(T value);", "Contract method 'M' is generic", "M")]
    [InlineData("MQRPC004", "Task M(int a); Task M(string b);", "Contract method 'M' would be service 'shop.svc.M', as another method of the contract is", "M")]
    [InlineData("MQRPC004", "Task Count(); Task CountAsync();", "Contract method 'CountAsync' would be service 'shop.svc.Count'", "CountAsync")]
    [InlineData("MQRPC006", "Task M(CancellationToken a, CancellationToken b);", "Contract method 'M' takes more than one CancellationToken", "M")]
    [InlineData("MQRPC007", "Task M(IProgress<int> a, IProgress<string> b);", "Contract method 'M' takes more than one IProgress<T>", "M")]
    [InlineData("MQRPC008", "int Count { get; }", "Contract 'IService' declares property 'Count': a contract holds methods only", "Count")]
    [InlineData("MQRPC008", "event EventHandler Changed;", "Contract 'IService' declares event 'Changed'", "Changed")]
    [InlineData("MQRPC012", "IAsyncEnumerable<int> M(IProgress<int> progress);", "Contract method 'M' returns IAsyncEnumerable<T> and takes an IProgress<T>", "M")]
    [InlineData("MQRPC013", "Task M(Span<byte> data);", "Parameter 'data' of contract method 'M' has type 'System.Span<byte>', which cannot be serialized", "data")]
    [InlineData("MQRPC013", "Task M(Action callback);", "has type 'System.Action'", "callback")]
    [InlineData("MQRPC013", "ValueTask<Action> M();", "The result of contract method 'M' has type 'System.Action'", "M")]
    public void A_member_that_cannot_travel_is_an_error_at_the_member_and_generates_nothing(string id, string members, string message, string at)
    {
        GeneratorRun run = GeneratorRun.Of(GeneratorRun.Usings + $"[MqContract(\"shop.svc\")] public interface IService {{ {members} }}");

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(at, run.TextAt(diagnostic));
        Assert.Empty(run.Driver.GetRunResult().GeneratedTrees);
    }

    [Theory]
    [InlineData("MQRPC009", "[MqContract(\"shop.svc\")] public interface IService<T> { Task M(); }", "Contract 'IService' is generic")]
    [InlineData("MQRPC010", "public class Outer { [MqContract(\"shop.svc\")] private interface IService { Task M(); } }", "Contract 'IService' is private or protected")]
    [InlineData("MQRPC011", "[MqContract(\"shop..svc\")] public interface IService { Task M(); }", "Contract name 'shop..svc' is not a valid service name: it has an empty token")]
    [InlineData("MQRPC014", "[MqContract(\"shop.svc\", ContentType = \"text/csv\")] public interface IService { Task M(); }", "Contract 'IService' asks to be called in 'text/csv': remote object calls are application/msgpack, application/json or application/xml")]
    [InlineData("MQRPC011", "[MqContract(\"shop.*\")] public interface IService { Task M(); }", "it contains a wildcard")]
    [InlineData("MQRPC011", "[MqContract(\"shop svc\")] public interface IService { Task M(); }", "it contains whitespace or a control character")]
    [InlineData("MQRPC011", "[MqContract(\"\")] public interface IService { Task M(); }", "it is empty")]
    public void A_contract_that_cannot_be_one_is_an_error_at_the_interface(string id, string source, string message)
    {
        GeneratorRun run = GeneratorRun.Of(GeneratorRun.Usings + source);

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("IService", run.TextAt(diagnostic));
        Assert.Empty(run.Driver.GetRunResult().GeneratedTrees);
    }

    [Theory]
    [InlineData("client.CreateProxy<IDisposable>()", "'System.IDisposable' is not an Mq contract, so CreateProxy cannot use it")]
    [InlineData("client.CreateProxy<IPlain>()", "'IPlain' is not an Mq contract, so CreateProxy cannot use it")]
    [InlineData("client.ServeObjectAsync(new Plain())", "'Plain' is not an Mq contract, so ServeObjectAsync cannot use it")]
    [InlineData("client.ServeObjectAsync<IPlain>(new Plain())", "'IPlain' is not an Mq contract, so ServeObjectAsync cannot use it")]
    public void Handing_a_non_contract_to_an_API_that_needs_one_is_an_error_at_the_call(string call, string message)
    {
        GeneratorRun run = GeneratorRun.Of(GeneratorRun.Usings + $$"""
            public interface IPlain { Task M(); }
            public sealed class Plain : IPlain { public Task M() => Task.CompletedTask; }
            public static class Use
            {
                public static object Run(Mq.Client.MqClient client) => {{call}};
            }
            """);

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("MQRPC005", diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(call, run.TextAt(diagnostic));
    }

    [Fact]
    public void A_contract_or_a_type_parameter_handed_to_those_APIs_is_not_reported()
    {
        GeneratorRun run = GeneratorRun.Of(GeneratorRun.Usings + """
            [MqContract("shop.svc")] public interface IService { Task M(); }
            public static class Use
            {
                public static IService Run(Mq.Client.MqClient client) => client.CreateProxy<IService>();
                public static T Any<T>(Mq.Client.MqClient client) where T : class => client.CreateProxy<T>();
            }
            """);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
    }
}
