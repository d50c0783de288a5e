using System.Text.Json.Nodes;

namespace EdgeRouter.CacheBench;

/// <summary>An STS-B pair: two sentences and their human similarity score (0 to 5).</summary>
internal sealed record StsPair(string Split, string S1, string S2, double Score);

/// <summary>One utterance of an intent data set (CLINC150, SNIPS, Banking77).</summary>
internal sealed record Utterance(string Split, string Text, string Intent);

/// <summary>Reads the shared data sets (JSON Lines, see ../shared/data/README.md).</summary>
internal static class Corpus
{
    public static List<StsPair> ReadStsb(string dataDirectory) =>
        [.. Lines(Path.Combine(dataDirectory, "similarity", "stsb.jsonl")).Select(o =>
            new StsPair((string)o["split"]!, (string)o["s1"]!, (string)o["s2"]!, (double)o["score"]!))];

    public static List<Utterance> ReadIntents(string dataDirectory, string file) =>
        [.. Lines(Path.Combine(dataDirectory, "intents", file)).Select(o =>
            new Utterance((string)o["split"]!, (string)o["text"]!, (string)o["intent"]!))];

    private static IEnumerable<JsonNode> Lines(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"data file {path} not found (set --data)", path);
        }

        foreach (var line in File.ReadLines(path))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return JsonNode.Parse(line)!;
            }
        }
    }
}
