using System.Text;

namespace Mq.Generators;

/// <summary>Writes a contract's proxy: each method writes its arguments in the channel's content type and calls through the channel.</summary>
internal static class ProxyEmitter
{
    private const string Rpc = ContractEmitter.Rpc;

    public static void Emit(StringBuilder source, ContractModel contract, string proxy, string registry)
    {
        source.AppendLine($"file sealed class {proxy} : {contract.Type}");
        source.AppendLine("{");
        source.AppendLine($"    private readonly {Rpc}MqRpcChannel __channel;");
        source.AppendLine();
        source.AppendLine($"    public {proxy}({Rpc}MqRpcChannel channel) => __channel = channel;");
        foreach (MethodModel method in contract.Methods)
        {
            source.AppendLine();
            EmitMethod(source, method, registry);
        }

        source.AppendLine("}");
    }

    private static void EmitMethod(StringBuilder source, MethodModel method, string registry)
    {
        string parameters = string.Join(", ", method.Parameters.Select(p => $"{p.Type} {ContractEmitter.Identifier(p.Name)}"));
        source.AppendLine($"    {method.ReturnType} {method.DeclaringInterface}.{method.Name}({parameters})");
        source.AppendLine("    {");
        source.AppendLine($"        var __arguments = __channel.Arguments({method.ArgumentCount});");
        foreach (ParameterModel argument in method.Parameters.Where(p => p.Role == ParameterRole.Argument))
        {
            source.AppendLine($"        __arguments.Write<{argument.Type}>({ContractEmitter.Identifier(argument.Name)});");
        }

        source.AppendLine("        var __payload = __arguments.Complete();");
        string token = method.Parameters.FirstOrDefault(p => p.Role == ParameterRole.Cancellation) is { } t ? ContractEmitter.Identifier(t.Name) : "default";
        ParameterModel? progress = method.Parameters.FirstOrDefault(p => p.Role == ParameterRole.Progress);
        string target = $"{registry}.{ContractEmitter.MethodField(method)}";
        string call = method.Kind switch
        {
            ReturnKind.AsyncEnumerable => $"__channel.StreamAsync<{method.ResultType}>({target}, __payload, {token})",
            ReturnKind.Task or ReturnKind.ValueTask when progress is not null =>
                $"__channel.CallWithProgressAsync<{progress.ProgressType}>({target}, __payload, {ContractEmitter.Identifier(progress.Name)}, {token})",
            ReturnKind.Task or ReturnKind.ValueTask => $"__channel.CallAsync({target}, __payload, {token})",
            _ when progress is not null =>
                $"__channel.CallWithProgressAsync<{method.ResultType}, {progress.ProgressType}>({target}, __payload, {ContractEmitter.Identifier(progress.Name)}, {token})",
            _ => $"__channel.CallAsync<{method.ResultType}>({target}, __payload, {token})",
        };
        string asTask = method.Kind is ReturnKind.Task or ReturnKind.TaskOfT ? ".AsTask()" : "";
        source.AppendLine($"        return {call}{asTask};");
        source.AppendLine("    }");
    }
}
