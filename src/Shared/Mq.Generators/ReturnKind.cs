namespace Mq.Generators;

/// <summary>What a contract method returns, which decides how its reply travels.</summary>
internal enum ReturnKind
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
    AsyncEnumerable,
}
