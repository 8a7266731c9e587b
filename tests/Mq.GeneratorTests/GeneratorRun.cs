using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Mq.Generators;

namespace Mq.GeneratorTests;

/// <summary>One run of the contract generator over a source: what it wrote and reported, and the compilation with its output.</summary>
internal sealed class GeneratorRun
{
    /// <summary>What the test sources use, put before each.</summary>
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Mq.Rpc;

        """;

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    // The test process's own assemblies (the runtime, Mq, MessagePack): what a project referencing package Mq compiles against.
    private static readonly MetadataReference[] References = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
        .Split(Path.PathSeparator)
        .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
        .ToArray();

    private GeneratorRun(Compilation output, ImmutableArray<Diagnostic> diagnostics, GeneratorDriver driver)
    {
        Output = output;
        Diagnostics = diagnostics;
        Driver = driver;
    }

    public Compilation Output { get; }

    /// <summary>What the generator reported.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public GeneratorDriver Driver { get; }

    /// <summary>The generated files' text, joined.</summary>
    public string Generated => string.Join("\n", Driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()));

    /// <summary>Errors of the compilation with the generated code in it.</summary>
    public IReadOnlyList<Diagnostic> CompileErrors => Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    /// <summary>
    /// The source a diagnostic points at. The generator reports through a file location (it keeps no syntax trees
    /// between runs, so that its models cache), so the text is found by the file's path.
    /// </summary>
    public string TextAt(Diagnostic diagnostic)
    {
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        SyntaxTree tree = Output.SyntaxTrees.Single(t => t.FilePath == span.Path);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    public static Compilation Compile(params string[] sources) => Compile(OutputKind.DynamicallyLinkedLibrary, sources);

    public static Compilation Compile(OutputKind kind, params string[] sources) => CSharpCompilation.Create(
        "Contracts",
        sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, Parse, path: $"Source{i}.cs")),
        References,
        new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorRun Of(params string[] sources) => Of(Compile(sources));

    public static GeneratorRun Of(Compilation compilation, GeneratorDriver? driver = null)
    {
        driver ??= CSharpGeneratorDriver.Create(
            [new ContractGenerator().AsSourceGenerator()],
            parseOptions: Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(output, diagnostics, driver);
    }
}
