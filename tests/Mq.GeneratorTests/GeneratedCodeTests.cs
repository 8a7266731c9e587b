using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Mq.GeneratorTests;

/// <summary>What the generator writes for each kind of contract method, and that it compiles.</summary>
public sealed class GeneratedCodeTests
{
    [Fact]
    public void Each_awaitable_return_kind_gets_a_proxy_call_and_a_dispatcher_that_compile()
    {
        GeneratorRun run = GeneratorRun.Of(GeneratorRun.Usings + """
            namespace Shop;

            [MqContract("shop.inventory")]
            public interface IInventory
            {
                ValueTask<int> CountAsync(string sku, CancellationToken cancellationToken = default);
                Task<string> Describe(string sku);
                ValueTask AddAsync(string sku, int quantity, CancellationToken cancellationToken);
                Task ClearAsync();
            }
            """);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        string code = run.Generated;
        Assert.Contains("new(\"shop.inventory\", \"Count\")", code);
        Assert.Contains("new(\"shop.inventory\", \"Describe\")", code);
        Assert.Contains("return __channel.CallAsync<int>(MqContract_IInventory.Method_Count, __payload, @cancellationToken);", code);
        Assert.Contains("return __channel.CallAsync<string>(MqContract_IInventory.Method_Describe, __payload, default).AsTask();", code);
        Assert.Contains("return __channel.CallAsync(MqContract_IInventory.Method_Add, __payload, @cancellationToken);", code);
        Assert.Contains("return __channel.CallAsync(MqContract_IInventory.Method_Clear, __payload, default).AsTask();", code);
        Assert.Contains("var __arguments = __channel.Arguments(2);", code);
        Assert.Contains("__arguments.Write<string>(@sku);", code);
        Assert.Contains("        null,", code);
        Assert.Contains("return host.Serialize<int>(request, await lease.Target.CountAsync(a0, cancellationToken).ConfigureAwait(false));", code);
        Assert.Contains("await lease.Target.AddAsync(a0, a1, cancellationToken).ConfigureAwait(false);", code);
        Assert.Contains("[global::System.Runtime.CompilerServices.ModuleInitializer]", code);
        Assert.Contains("catch (global::Mq.Rpc.MqFaultException fault)", code);
    }

    [Fact]
    public void Optional_parameters_give_the_dispatcher_their_defaults_and_required_ones_an_error()
    {
        GeneratorRun run = GeneratorRun.Of(GeneratorRun.Usings + """
            namespace Shop;

            public enum Unit { Piece, Box, Pallet }

            [MqContract("shop.prices")]
            public interface IPrices
            {
                Task<decimal> QuoteAsync(string sku, int quantity = 1, Unit unit = Unit.Pallet, string currency = "EUR\n", double factor = 0.5, decimal discount = 1.25m, string? note = null, long big = -9000000000);
            }
            """);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        string code = run.Generated;
        Assert.Contains(": global::Mq.Rpc.MqRpcArguments.Missing<string>(Method_Quote, \"sku\");", code);
        Assert.Contains("int a1 = count > 1 ? global::Mq.Rpc.MqRpcArguments.Read<int>(ref reader, host.SerializerOptions, Method_Quote, \"quantity\") : (int)(1);", code);
        Assert.Contains(": (global::Shop.Unit)(2);", code);
        Assert.Contains(": \"EUR\\n\";", code);
        Assert.Contains(": (double)(0.5D);", code);
        Assert.Contains(": (decimal)(1.25M);", code);
        Assert.Contains("string? a6 = count > 6 ? global::Mq.Rpc.MqRpcArguments.Read<string?>(ref reader, host.SerializerOptions, Method_Quote, \"note\") : default!;", code);
        Assert.Contains(": (long)(-9000000000L);", code);
    }

    [Fact]
    public void A_stream_and_progress_go_through_the_channel_and_host_stream_methods()
    {
        GeneratorRun run = GeneratorRun.Of(GeneratorRun.Usings + """
            namespace Shop;

            [MqContract("shop.reports")]
            public interface IReports
            {
                IAsyncEnumerable<int> RowsAsync(int count, CancellationToken cancellationToken = default);
                Task<string> BuildAsync(string name, IProgress<double> progress, CancellationToken cancellationToken);
                ValueTask ExportAsync(IProgress<string>? progress);
            }
            """);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        string code = run.Generated;
        Assert.Contains("return __channel.StreamAsync<int>(MqContract_IReports.Method_Rows, __payload, @cancellationToken);", code);
        Assert.Contains("await host.StreamAsync<int>(request, lease.Target.RowsAsync(a0, cancellationToken), cancellationToken).ConfigureAwait(false);", code);
        Assert.Contains("return __channel.CallWithProgressAsync<string, double>(MqContract_IReports.Method_Build, __payload, @progress, @cancellationToken).AsTask();", code);
        Assert.Contains("await using var progress = host.Progress<double>(request, cancellationToken);", code);
        Assert.Contains("await lease.Target.BuildAsync(a0, progress, cancellationToken)", code);
        Assert.Contains("return __channel.CallWithProgressAsync<string>(MqContract_IReports.Method_Export, __payload, @progress, default);", code);
        Assert.Contains("var __arguments = __channel.Arguments(0);", code);
    }

    [Fact]
    public void Declared_faults_inherited_methods_and_keyword_parameters_are_carried_over()
    {
        GeneratorRun run = GeneratorRun.Of(GeneratorRun.Usings + """
            namespace Shop
            {
                public sealed record OutOfStock(string Sku);

                public interface IPing
                {
                    Task PingAsync();
                }

                public static class Outer
                {
                    [MqContract("shop.orders", TimeoutMilliseconds = 2500, ContentType = "application/json")]
                    public interface IOrders : IPing
                    {
                        [MqFault(typeof(OutOfStock))]
                        Task<int> PlaceAsync(string @class, int @event);

                        static int Helper() => 1;

                        Task DefaultAsync() => Task.CompletedTask;
                    }
                }
            }
            """);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        string code = run.Generated;
        Assert.Contains("new(\"shop.orders\", \"Place\", global::Mq.Rpc.MqFault.For<global::Shop.OutOfStock>());", code);
        Assert.Contains("global::System.Threading.Tasks.Task global::Shop.IPing.PingAsync()", code);
        Assert.Contains("global::Shop.Outer.IOrders.PlaceAsync(string @class, int @event)", code);
        Assert.Contains("        2500,", code);
        Assert.Contains("        \"application/json\",", code);
        Assert.DoesNotContain("Helper", code);
        Assert.DoesNotContain("Method_Default", code);
        Assert.Equal(["Shop.Outer.IOrders.MqContract.g.cs"], run.Driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)));
    }

    [Fact]
    public void Two_contracts_of_the_same_name_in_two_namespaces_do_not_clash()
    {
        GeneratorRun run = GeneratorRun.Of(
            GeneratorRun.Usings + "namespace A { [MqContract(\"a.svc\")] public interface IService { Task RunAsync(); } }",
            GeneratorRun.Usings + "namespace B { [MqContract(\"b.svc\")] public interface IService { Task RunAsync(); } }");

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompileErrors);
        Assert.Equal(2, run.Driver.GetRunResult().GeneratedTrees.Length);
    }

    [Fact]
    public void An_edit_elsewhere_leaves_the_contract_model_cached()
    {
        string contract = GeneratorRun.Usings + "namespace Shop { [MqContract(\"shop.svc\")] public interface IService { Task<int> RunAsync(int n); } }";
        Compilation first = GeneratorRun.Compile(contract, "class Other { }");
        GeneratorRun run = GeneratorRun.Of(first);

        Compilation edited = first.ReplaceSyntaxTree(first.SyntaxTrees.Last(), CSharpSyntaxTree.ParseText("class Other { int _x; }", new CSharpParseOptions(LanguageVersion.Latest)));
        GeneratorRun again = GeneratorRun.Of(edited, run.Driver);

        IEnumerable<IncrementalStepRunReason> reasons = again.Driver.GetRunResult().Results[0].TrackedOutputSteps
            .SelectMany(step => step.Value)
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason);
        Assert.All(reasons, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"an output step ran again: {reason}"));
    }
}
