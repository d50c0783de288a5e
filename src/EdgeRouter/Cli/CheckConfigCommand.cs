using System.Text;
using EdgeRouter.Configuration;
using EdgeRouter.Hosting;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Cli;

/// <summary><c>edgerouter check-config</c>: validates a config file without starting anything.</summary>
internal static class CheckConfigCommand
{
    public static int Run(string[] args)
    {
        if (args.Contains("--print-default"))
        {
            Console.Out.Write(Encoding.UTF8.GetString(EmbeddedDefaults.ConfigJson()));
            return CommandLine.Ok;
        }

        if (!CommandLine.TryGetOption(args, "--config", out var path, out var error) && error is not null)
        {
            Console.Error.WriteLine($"edgerouter: {error}");
            return CommandLine.Usage;
        }

        path ??= Environment.GetEnvironmentVariable("EDGEROUTER_CONFIG");
        var stages = new StageRegistry(StageKinds.BuiltIn);
        var result = path is null
            ? ConfigLoader.Load(EmbeddedDefaults.ConfigJson(), stages, Environment.GetEnvironmentVariable)
            : ConfigLoader.LoadFile(path, stages, Environment.GetEnvironmentVariable);
        var source = path ?? EmbeddedDefaults.SourceName;
        if (!result.IsValid)
        {
            Console.Error.WriteLine($"{source}: {result.Errors.Count} problem(s):");
            foreach (var problem in result.Errors)
            {
                Console.Error.WriteLine($"  {problem}");
            }

            return CommandLine.Usage;
        }

        var config = result.Value.Config;
        // The model folders too: the gateway checks them before serving (the models themselves load in the background).
        var baseDirectory = path is null ? AppContext.BaseDirectory : Path.GetDirectoryName(Path.GetFullPath(path)) ?? AppContext.BaseDirectory;
        if (config.Inference is { } inference && Inference.LocalModels.Missing(inference, baseDirectory) is { Count: > 0 } missing)
        {
            Console.Error.WriteLine($"{source}: {missing.Count} problem(s):");
            foreach (var (at, reason) in missing)
            {
                Console.Error.WriteLine($"  {at}: {reason}");
            }

            return CommandLine.Usage;
        }

        Console.WriteLine($"{source}: valid ({config.Providers.Count} providers, {result.Value.Catalog.All.Count} models, {config.Routes.Count} routes)");
        return CommandLine.Ok;
    }
}
