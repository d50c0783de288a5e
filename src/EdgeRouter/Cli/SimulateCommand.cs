using System.Text;
using System.Text.Json;
using EdgeRouter.Routing.Costs;

namespace EdgeRouter.Cli;

/// <summary>
/// <c>edgerouter simulate</c>: the monthly cost of a request volume under several routing strategies, from a JSON
/// scenario (see <see cref="CostScenario"/> and <see cref="CostSimulator"/>).
/// </summary>
internal static class SimulateCommand
{
    /// <summary>Exit code for a scenario that cannot be read or is invalid.</summary>
    private const int InvalidScenario = 1;

    public const string HelpText = """
        Usage:
          edgerouter simulate --scenario FILE [--json]   price the strategies of a scenario file
          edgerouter simulate --example [--json]         price the worked example
          edgerouter simulate --print-example            print the worked example's scenario (a starting point)

        Prints, per strategy, the monthly cost, the cost per request, the savings against the first strategy (the
        baseline) and a breakdown (tokens per model, verifier, router overhead, cache) as markdown tables, money
        rounded to the cent. --json prints the same report as JSON with exact figures (decimal arithmetic, never
        rounded). Exit codes: 0 done, 1 the scenario cannot be read or is invalid (every problem is listed with its
        JSON path), 2 bad arguments.

        Scenario (JSON; prices in USD per million tokens, other costs in USD):
          requestsPerMonth, inputTokensPerRequest, outputTokensPerRequest
          mix               traffic class -> share, shares in [0,1] summing to exactly 1
          tokensByClass     optional: class -> {inputTokensPerRequest, outputTokensPerRequest} overrides
          prices            model -> {inputPricePerMillion, outputPricePerMillion}
          strategies        a list; each has a name (optional), a kind and an optional cache:
            static   model: every request goes to it.
            cascade  tiers: [A, B, C], verifierCost (per verified answer), escalation: [r1, r2] (one rate per tier
                     but the last), escalationByClass (optional: class -> rates). Every request is sent to tier 1.
                     Every answer of a tier other than the last is verified (verifierCost each); a share r(i) of the
                     requests that reached tier i escalates to tier i+1. The last tier's answer is final and not
                     verified. N requests of a class cost N*A + N*v + N*r1*B + N*r1*v + N*r1*r2*C, where
                     A, B, C are the cost of one call to each tier and v is verifierCost.
            routed   distribution: class -> {model -> share} (shares summing to 1 for every class of the mix),
                     routerOverhead (per routed request): a router such as a Mixture-of-Routers.
            cache    {hitRate, costPerHit, monthlyFixedCost}: looked up before anything else. A hit costs
                     costPerHit and skips the model calls, the verifier and the router with its overhead; misses
                     run the strategy unchanged; hits are spread evenly over the classes. monthlyFixedCost is
                     paid whatever the traffic.
          Model calls cost input tokens x input price + output tokens x output price, per million tokens.

        Worked example (edgerouter simulate --example, examples/simulate/worked-example.json): 1M requests of 800
        input + 400 output tokens, 60% trivial / 30% mid / 10% complex: static flagship $42,000.00; cascade
        cheap -> strong -> flagship with a $0.0002 verifier, 25% then 30% escalating, $6,124.00; a
        Mixture-of-Routers with $0.0001 overhead $4,085.84; the same behind a 30% cache at $0.00002 per hit and
        $400 a month $3,266.09 (exactly 3,266.088).
        """;

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>The command with its output streams supplied.</summary>
    internal static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            output.WriteLine(HelpText);
            return CommandLine.Ok;
        }

        var unknown = CommandLine.Unknown(args, "--scenario").Where(a => a is not ("--json" or "--example" or "--print-example")).ToList();
        if (unknown.Count > 0)
        {
            var hint = unknown[0].StartsWith('-') ? "" : $" (a scenario file? write --scenario {unknown[0]})";
            return UsageError(error, $"unknown argument '{unknown[0]}'{hint}");
        }

        if (!CommandLine.TryGetOption(args, "--scenario", out var path, out var optionError) && optionError is not null)
        {
            return UsageError(error, optionError);
        }

        if (args.Contains("--print-example"))
        {
            output.Write(Encoding.UTF8.GetString(CostScenarioLoader.WorkedExampleJson()));
            return CommandLine.Ok;
        }

        var example = args.Contains("--example");
        if (example == (path is not null))
        {
            return UsageError(error, example ? "give either --scenario FILE or --example, not both" : "--scenario FILE or --example is required");
        }

        var result = example ? CostScenarioLoader.Load(CostScenarioLoader.WorkedExampleJson()) : CostScenarioLoader.LoadFile(path!);
        if (!result.IsValid)
        {
            error.WriteLine($"{(example ? CostScenarioLoader.WorkedExamplePath : path)}: {result.Errors.Count} problem(s):");
            foreach (var problem in result.Errors)
            {
                error.WriteLine($"  {problem}");
            }

            return InvalidScenario;
        }

        CostReport report;
        try
        {
            report = CostSimulator.Simulate(result.Scenario);
        }
        catch (OverflowException)
        {
            // Only reachable past the validator's bounds with thousands of cascade tiers; reported, not thrown.
            error.WriteLine($"{(example ? CostScenarioLoader.WorkedExamplePath : path)}: the figures exceed the range of a decimal (about 7.9e28)");
            return InvalidScenario;
        }

        if (args.Contains("--json"))
        {
            output.WriteLine(JsonSerializer.Serialize(report, CostJsonContext.Default.CostReport));
        }
        else
        {
            output.Write(CostReportMarkdown.Format(report));
        }

        return CommandLine.Ok;
    }

    private static int UsageError(TextWriter error, string message)
    {
        error.WriteLine($"edgerouter simulate: {message}. See 'edgerouter simulate --help'.");
        return CommandLine.Usage;
    }
}
