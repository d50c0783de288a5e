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
        // The model folders too, as the gateway checks them before serving (the models themselves load in the background).
        var validated = result.Value;
        var problems = validated is null ? result.Errors
            : validated.Config.Inference is { } inference ? Inference.LocalModels.Missing(inference, GatewayApp.BaseDirectory(path))
            : [];
        if (problems.Count > 0)
        {
            Console.Error.WriteLine($"{source}: {problems.Count} problem(s):");
            foreach (var problem in problems)
            {
                Console.Error.WriteLine($"  {problem}");
            }

            return CommandLine.Usage;
        }

        var config = validated!.Config;
        Console.WriteLine($"{source}: valid ({config.Providers.Count} providers, {validated.Catalog.All.Count} models, {config.Routes.Count} routes)");
        return CommandLine.Ok;
    }
}
