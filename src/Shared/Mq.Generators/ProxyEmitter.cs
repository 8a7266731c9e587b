using System.Text;

namespace Mq.Generators;

/// <summary>Writes a contract's proxy: each method serializes its arguments as a MessagePack array and calls through the channel.</summary>
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
        source.AppendLine("        var __buffer = new global::System.Buffers.ArrayBufferWriter<byte>();");
        source.AppendLine("        var __writer = new global::MessagePack.MessagePackWriter(__buffer);");
        source.AppendLine($"        __writer.WriteArrayHeader({method.ArgumentCount});");
        foreach (ParameterModel argument in method.Parameters.Where(p => p.Role == ParameterRole.Argument))
        {
            source.AppendLine($"        global::MessagePack.MessagePackSerializer.Serialize<{argument.Type}>(ref __writer, {ContractEmitter.Identifier(argument.Name)}, __channel.SerializerOptions);");
        }

        source.AppendLine("        __writer.Flush();");
        string token = method.Parameters.FirstOrDefault(p => p.Role == ParameterRole.Cancellation) is { } t ? ContractEmitter.Identifier(t.Name) : "default";
        ParameterModel? progress = method.Parameters.FirstOrDefault(p => p.Role == ParameterRole.Progress);
        string target = $"{registry}.{ContractEmitter.MethodField(method)}";
        string call = method.Kind switch
        {
            ReturnKind.AsyncEnumerable => $"__channel.StreamAsync<{method.ResultType}>({target}, __buffer.WrittenMemory, {token})",
            ReturnKind.Task or ReturnKind.ValueTask when progress is not null =>
                $"__channel.CallWithProgressAsync<{progress.ProgressType}>({target}, __buffer.WrittenMemory, {ContractEmitter.Identifier(progress.Name)}, {token})",
            ReturnKind.Task or ReturnKind.ValueTask => $"__channel.CallAsync({target}, __buffer.WrittenMemory, {token})",
            _ when progress is not null =>
                $"__channel.CallWithProgressAsync<{method.ResultType}, {progress.ProgressType}>({target}, __buffer.WrittenMemory, {ContractEmitter.Identifier(progress.Name)}, {token})",
            _ => $"__channel.CallAsync<{method.ResultType}>({target}, __buffer.WrittenMemory, {token})",
        };
        string asTask = method.Kind is ReturnKind.Task or ReturnKind.TaskOfT ? ".AsTask()" : "";
        source.AppendLine($"        return {call}{asTask};");
        source.AppendLine("    }");
    }
}
