using System.Text;

namespace Mq.Generators;

/// <summary>
/// Writes a method's dispatcher: Serve_ reads the arguments (synchronously: the reader is a ref struct), Run_ leases
/// the object, calls it, serializes the result and turns a declared fault into the wire's. Run_ pools its state
/// machine, so a call allocates its arguments and result only.
/// </summary>
internal static class DispatcherEmitter
{
    private const string Rpc = ContractEmitter.Rpc;
    private const string Bytes = "global::System.Threading.Tasks.ValueTask<global::System.ReadOnlyMemory<byte>>";

    public static string ServeName(MethodModel method) => "Serve_" + method.WireName;

    public static void Emit(StringBuilder source, ContractModel contract, MethodModel method)
    {
        string field = ContractEmitter.MethodField(method);
        string host = $"{Rpc}MqObjectHost<{contract.Type}>";
        ParameterModel[] arguments = method.Parameters.Where(p => p.Role == ParameterRole.Argument).ToArray();
        source.AppendLine($"    private static {Bytes} {ServeName(method)}({host} host, global::Mq.Client.MqRequest request, global::System.Threading.CancellationToken cancellationToken)");
        source.AppendLine("    {");
        source.AppendLine($"        var reader = {Rpc}MqRpcArguments.Open(request, {field}, out int count);");
        foreach (ParameterModel argument in arguments)
        {
            string name = ContractEmitter.Literal(argument.Name);
            string missing = argument.DefaultValue ?? $"{Rpc}MqRpcArguments.Missing<{argument.Type}>({field}, {name})";
            source.AppendLine($"        {argument.Type} a{argument.ArgumentIndex} = count > {argument.ArgumentIndex} ? {Rpc}MqRpcArguments.Read<{argument.Type}>(ref reader, host.SerializerOptions, {field}, {name}) : {missing};");
        }

        string passed = string.Concat(arguments.Select(a => $", a{a.ArgumentIndex}"));
        source.AppendLine($"        return Run_{method.WireName}(host, request{passed}, cancellationToken);");
        source.AppendLine("    }");
        source.AppendLine();

        string declared = string.Concat(arguments.Select(a => $", {a.Type} a{a.ArgumentIndex}"));
        source.AppendLine("    [global::System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(global::System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]");
        source.AppendLine($"    private static async {Bytes} Run_{method.WireName}({host} host, global::Mq.Client.MqRequest request{declared}, global::System.Threading.CancellationToken cancellationToken)");
        source.AppendLine("    {");
        source.AppendLine("        var lease = host.Rent();");
        source.AppendLine("        try");
        source.AppendLine("        {");
        ParameterModel? progress = method.Parameters.FirstOrDefault(p => p.Role == ParameterRole.Progress);
        if (progress is not null)
        {
            source.AppendLine($"            await using var progress = host.Progress<{progress.ProgressType}>(request, cancellationToken);");
        }

        string call = $"lease.Target.{method.Name}({string.Join(", ", method.Parameters.Select(Passed))})";
        switch (method.Kind)
        {
            case ReturnKind.AsyncEnumerable:
                source.AppendLine($"            await host.StreamAsync<{method.ResultType}>(request, {call}, cancellationToken).ConfigureAwait(false);");
                source.AppendLine("            return default;");
                break;
            case ReturnKind.Task or ReturnKind.ValueTask:
                source.AppendLine($"            await {call}.ConfigureAwait(false);");
                source.AppendLine("            return default;");
                break;
            default:
                source.AppendLine($"            return host.Serialize<{method.ResultType}>(request, await {call}.ConfigureAwait(false));");
                break;
        }

        source.AppendLine("        }");
        source.AppendLine($"        catch ({Rpc}MqFaultException fault)");
        source.AppendLine("        {");
        source.AppendLine("            throw host.Fault(request, fault);");
        source.AppendLine("        }");
        source.AppendLine("        finally");
        source.AppendLine("        {");
        source.AppendLine("            await lease.DisposeAsync().ConfigureAwait(false);");
        source.AppendLine("        }");
        source.AppendLine("    }");
    }

    private static string Passed(ParameterModel parameter) => parameter.Role switch
    {
        ParameterRole.Cancellation => "cancellationToken",
        ParameterRole.Progress => "progress",
        _ => $"a{parameter.ArgumentIndex}",
    };
}
