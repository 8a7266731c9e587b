namespace Mq.CommandLine;

/// <summary>A payload given on the command line could not be used (bad JSON, bad header).</summary>
internal sealed class BadPayloadException(string message) : Exception(message);
