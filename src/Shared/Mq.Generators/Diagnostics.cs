using Microsoft.CodeAnalysis;

namespace Mq.Generators;

/// <summary>The generator's diagnostics; docs/rpc.md lists them with examples.</summary>
internal static class Diagnostics
{
    private const string Category = "Mq.Rpc";

    public static readonly DiagnosticDescriptor RefParameter = Error(
        "MQRPC001",
        "Contract parameters cannot be ref, out or in",
        "Parameter '{0}' of contract method '{1}' is {2}: a remote call copies its arguments one way, so pass it by value");

    public static readonly DiagnosticDescriptor UnsupportedReturn = Error(
        "MQRPC002",
        "Unsupported contract return type",
        "Contract method '{0}' returns '{1}': a contract method returns Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>");

    public static readonly DiagnosticDescriptor GenericMethod = Error(
        "MQRPC003",
        "Contract methods cannot be generic",
        "Contract method '{0}' is generic: the server must know its argument types, so give each type its own method");

    public static readonly DiagnosticDescriptor CollidingName = Error(
        "MQRPC004",
        "Two contract methods share a service name",
        "Contract method '{0}' would be service '{1}', as another method of the contract is: overloads and names differing only in an Async suffix collide, so rename one");

    public static readonly DiagnosticDescriptor NotAContract = Error(
        "MQRPC005",
        "Not an Mq contract",
        "'{0}' is not an Mq contract, so {1} cannot use it: pass an interface marked [MqContract(\"name\")]");

    public static readonly DiagnosticDescriptor TwoCancellationTokens = Error(
        "MQRPC006",
        "More than one CancellationToken",
        "Contract method '{0}' takes more than one CancellationToken: one token cancels the call, on both sides");

    public static readonly DiagnosticDescriptor TwoProgress = Error(
        "MQRPC007",
        "More than one IProgress",
        "Contract method '{0}' takes more than one IProgress<T>: reports travel as one stream, so take one");

    public static readonly DiagnosticDescriptor PropertyOrEvent = Error(
        "MQRPC008",
        "Contracts hold methods only",
        "Contract '{0}' declares {1} '{2}': a contract holds methods only, so make it a method returning a Task or ValueTask");

    public static readonly DiagnosticDescriptor GenericContract = Error(
        "MQRPC009",
        "Contract interfaces cannot be generic",
        "Contract '{0}' is generic: a contract's services need fixed types, so declare one interface per type");

    public static readonly DiagnosticDescriptor InaccessibleContract = Error(
        "MQRPC010",
        "Contract is not accessible",
        "Contract '{0}' is private or protected: make it (and the types containing it) internal or public, so the generated proxy can implement it");

    public static readonly DiagnosticDescriptor InvalidName = Error(
        "MQRPC011",
        "Invalid contract name",
        "Contract name '{0}' is not a valid service name: {1}");

    public static readonly DiagnosticDescriptor StreamWithProgress = Error(
        "MQRPC012",
        "A streaming method cannot report progress",
        "Contract method '{0}' returns IAsyncEnumerable<T> and takes an IProgress<T>: both travel as parts of the reply, so stream the progress as items instead");

    public static readonly DiagnosticDescriptor Unserializable = Error(
        "MQRPC013",
        "Type cannot travel",
        "{0} of contract method '{1}' has type '{2}', which cannot be serialized (a ref struct, pointer or delegate)");

    public static readonly DiagnosticDescriptor UnknownContentType = Error(
        "MQRPC014",
        "Unknown contract content type",
        "Contract '{0}' asks to be called in '{1}': remote object calls are application/msgpack, application/json or application/xml");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
