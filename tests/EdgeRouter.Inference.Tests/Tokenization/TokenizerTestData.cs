using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeRouter.Inference.Tokenization;

namespace EdgeRouter.Tests.Tokenization;

/// <summary>One expected-ids case from a fixtures file.</summary>
public sealed record TokenizerFixture(
    string File, int Line, string Tokenizer, string Text, string? TextPair, int[] Ids, bool AddSpecialTokens)
{
    public override string ToString() => $"{File}:{Line} {Tokenizer}";
}

/// <summary>Paths of the reference tokenizer files and loaders for them (each loaded once per test run).</summary>
public static class TokenizerTestData
{
    private static readonly ConcurrentDictionary<string, Tokenizer> Loaded = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, IReadOnlyList<TokenizerFixture>> Fixtures = new(StringComparer.Ordinal);

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "TestData", "tokenizers");

    public static string BertDirectory => Path.Combine(Directory, "bert-uncased");

    public static string BertJson => Path.Combine(BertDirectory, "tokenizer.json");

    public static string BertVocab => Path.Combine(BertDirectory, "vocab.txt");

    public static string ModernBertJson => Path.Combine(Directory, "modernbert", "tokenizer.reconstructed.json");

    public static string GptNeoXJson => Path.Combine(Directory, "olmo-gpt-neox", "tokenizer.json");

    /// <summary>
    /// The tokenizer a fixture names: "bert-uncased", "bert-uncased-vocab" (from vocab.txt), "modernbert",
    /// "gpt-neox-20b", or a variant with one setting changed (the same edits as in Tools/gen_extra_fixtures.js).
    /// </summary>
    public static Tokenizer Get(string name) => Loaded.GetOrAdd(name, static n => n switch
    {
        "bert-uncased" => Tokenizer.Load(BertJson),
        "bert-uncased-vocab" => Tokenizer.Load(BertVocab),
        "modernbert" => Tokenizer.Load(ModernBertJson),
        "gpt-neox-20b" => Tokenizer.Load(GptNeoXJson),
        "bert-uncased-keep-accents" => LoadVariant(BertJson, n, j => j["normalizer"]!["strip_accents"] = false),
        "bert-uncased-no-lowercase" => LoadVariant(BertJson, n, j => j["normalizer"]!["lowercase"] = false),
        "gpt-neox-20b-prefix-space" => LoadVariant(GptNeoXJson, n, j => j["pre_tokenizer"]!["add_prefix_space"] = true),
        "gpt-neox-20b-merge-pairs" => LoadVariant(GptNeoXJson, n, j =>
        {
            var merges = j["model"]!["merges"]!.AsArray();
            var pairs = new JsonArray();
            foreach (var merge in merges)
            {
                var parts = merge!.GetValue<string>().Split(' ');
                pairs.Add(new JsonArray(parts[0], parts[1]));
            }

            j["model"]!["merges"] = pairs;
        }),
        _ => throw new ArgumentException($"unknown tokenizer {n}", nameof(name)),
    });

    /// <summary>Writes an edited copy of a tokenizer.json to a temporary directory and loads it.</summary>
    public static Tokenizer LoadVariant(string source, string name, Action<JsonNode> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(source))!;
        edit(json);
        var directory = Path.Combine(Path.GetTempPath(), "edgerouter-tokenizer-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".json");
        File.WriteAllText(path, json.ToJsonString());
        try
        {
            return Tokenizer.Load(path);
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>All cases of a fixtures file (JSON lines).</summary>
    public static IReadOnlyList<TokenizerFixture> ReadFixtures(string fileName) => Fixtures.GetOrAdd(fileName, ParseFixtures);

    private static IReadOnlyList<TokenizerFixture> ParseFixtures(string fileName)
    {
        var fixtures = new List<TokenizerFixture>();
        var lines = File.ReadAllLines(Path.Combine(Directory, fileName));
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(lines[i]);
            var root = doc.RootElement;
            var pair = root.TryGetProperty("text_pair", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            fixtures.Add(new TokenizerFixture(
                fileName,
                i + 1,
                root.GetProperty("tokenizer").GetString()!,
                root.GetProperty("text").GetString()!,
                pair,
                [.. root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())],
                !root.TryGetProperty("add_special_tokens", out var add) || add.GetBoolean()));
        }

        return fixtures;
    }

    /// <summary>Encodes a fixture's text (or pair) with a destination large enough to need no truncation.</summary>
    public static int[] Encode(Tokenizer tokenizer, TokenizerFixture fixture)
    {
        var destination = new int[fixture.Text.Length * 4 + (fixture.TextPair?.Length ?? 0) * 4 + 16];
        var count = fixture.TextPair is null
            ? tokenizer.Encode(fixture.Text, destination, fixture.AddSpecialTokens)
            : tokenizer.EncodePair(fixture.Text, fixture.TextPair, destination, default, fixture.AddSpecialTokens);
        return destination[..count];
    }
}
