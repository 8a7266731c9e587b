using BenchmarkDotNet.Running;

// Any BenchmarkDotNet arguments work: --filter '*', --job short, --inProcess, --list flat.
BenchmarkSwitcher.FromAssembly(typeof(Mq.MicroBenchmarks.EngineBenchmarks).Assembly).Run(args);
