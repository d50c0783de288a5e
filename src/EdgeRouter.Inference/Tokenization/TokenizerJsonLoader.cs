using System.Text.Json;

namespace EdgeRouter.Inference.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> with <see cref="JsonDocument"/> (no reflection, AOT-safe) and builds a
/// <see cref="WordPieceTokenizer"/> or a <see cref="ByteLevelBpeTokenizer"/>.
/// </summary>
internal static class TokenizerJsonLoader
{
    private static readonly string[] ClsNames = ["[CLS]", "<s>", "<|begin_of_text|>", "<|startoftext|>", "<bos>"];
    private static readonly string[] SepNames = ["[SEP]", "</s>", "<|endoftext|>", "<|end_of_text|>", "<eos>"];
    private static readonly string[] PadNames = ["[PAD]", "<pad>", "<|padding|>", "<|pad|>"];
    private static readonly string[] UnkNames = ["[UNK]", "<unk>", "<|unk|>"];
    private static readonly string[] MaskNames = ["[MASK]", "<mask>"];

    /// <summary>Parses <paramref name="utf8Json"/>; <paramref name="path"/> names the file in error messages and locates
    /// optional sibling <c>special_tokens_map.json</c> / <c>tokenizer_config.json</c> files.</summary>
    public static Tokenizer Load(byte[] utf8Json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Tokenizer file '{path}' is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            try
            {
                return Build(document.RootElement, path);
            }
            catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or FormatException or OverflowException)
            {
                throw new InvalidDataException($"Tokenizer file '{path}' is malformed: {ex.Message}", ex);
            }
        }
    }

    private static InvalidDataException Malformed(string path, string message) =>
        new($"Tokenizer file '{path}' is malformed: {message}");

    private static NotSupportedException Unsupported(string path, string message) =>
        new($"Tokenizer file '{path}' is not supported: {message}");

    private static Tokenizer Build(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(path, "the top level is not a JSON object.");
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(path, "it has no \"model\" object.");
        }

        var type = model.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? typeElement.GetString()!
            : model.TryGetProperty("merges", out _) ? "BPE"
            : model.TryGetProperty("continuing_subword_prefix", out _) ? "WordPiece"
            : throw Malformed(path, "the model has no \"type\".");

        if (!model.TryGetProperty("vocab", out var vocabElement) || vocabElement.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(path, "the model has no \"vocab\" object.");
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabElement.EnumerateObject())
        {
            vocab[entry.Name] = entry.Value.GetInt32();
        }

        if (vocab.Count == 0)
        {
            throw Malformed(path, "the model vocabulary is empty.");
        }

        var added = ReadAddedTokens(root, path);
        var template = ReadPostProcessor(root, path);
        return type switch
        {
            "WordPiece" => BuildWordPiece(root, model, vocab, added, template, path),
            "BPE" => BuildBpe(root, model, vocab, added, template, path),
            _ => throw Unsupported(path, $"model type \"{type}\" (only WordPiece and BPE are implemented)."),
        };
    }

    private static Tokenizer BuildWordPiece(
        JsonElement root, JsonElement model, Dictionary<string, int> vocab, List<AddedTokenInfo> added, TokenTemplate template, string path)
    {
        BertNormalizer? normalizer = null;
        var normalizerElement = Property(root, "normalizer");
        if (normalizerElement.ValueKind == JsonValueKind.Object)
        {
            var type = TypeOf(normalizerElement, path, "normalizer");
            if (type != "BertNormalizer")
            {
                throw Unsupported(path, $"normalizer \"{type}\" with a WordPiece model (only BertNormalizer is implemented).");
            }

            bool? stripAccents = Property(normalizerElement, "strip_accents").ValueKind is JsonValueKind.True or JsonValueKind.False
                ? normalizerElement.GetProperty("strip_accents").GetBoolean()
                : null;
            normalizer = new BertNormalizer(
                Bool(normalizerElement, "clean_text", true), Bool(normalizerElement, "handle_chinese_chars", true),
                stripAccents, Bool(normalizerElement, "lowercase", true));
        }

        var preTokenizer = Property(root, "pre_tokenizer");
        if (preTokenizer.ValueKind != JsonValueKind.Object || TypeOf(preTokenizer, path, "pre_tokenizer") != "BertPreTokenizer")
        {
            throw Unsupported(path, "a WordPiece model without the BertPreTokenizer pre-tokenizer.");
        }

        var unkToken = String(model, "unk_token") ?? "[UNK]";
        if (!vocab.TryGetValue(unkToken, out var unkId))
        {
            throw Malformed(path, $"the unknown token \"{unkToken}\" is not in the vocabulary.");
        }

        var prefix = String(model, "continuing_subword_prefix") ?? "##";
        var maxChars = Property(model, "max_input_chars_per_word").ValueKind == JsonValueKind.Number
            ? model.GetProperty("max_input_chars_per_word").GetInt32()
            : 100;
        var special = ResolveSpecialTokens(vocab, added, template, unkToken, path);
        Func<string, string> normalize = normalizer is null ? s => s : normalizer.Normalize;
        return new WordPieceTokenizer(vocab, unkId, prefix, maxChars, normalizer, new AddedTokenSet(added, normalize), template, special);
    }

    private static Tokenizer BuildBpe(
        JsonElement root, JsonElement model, Dictionary<string, int> vocab, List<AddedTokenInfo> added, TokenTemplate template, string path)
    {
        var nfc = false;
        var normalizerElement = Property(root, "normalizer");
        if (normalizerElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var part in Flatten(normalizerElement, "normalizers", path, "normalizer"))
            {
                var type = TypeOf(part, path, "normalizer");
                if (type != "NFC")
                {
                    throw Unsupported(path, $"normalizer \"{type}\" with a BPE model (only NFC is implemented).");
                }

                nfc = true;
            }
        }

        var preTokenizer = Property(root, "pre_tokenizer");
        var parts = preTokenizer.ValueKind == JsonValueKind.Object ? Flatten(preTokenizer, "pretokenizers", path, "pre_tokenizer") : [];
        if (parts.Count != 1 || TypeOf(parts[0], path, "pre_tokenizer") != "ByteLevel")
        {
            throw Unsupported(path, "a BPE model without the ByteLevel pre-tokenizer (only byte-level BPE is implemented).");
        }

        var byteLevel = parts[0];
        var addPrefixSpace = Bool(byteLevel, "add_prefix_space", true);
        var useRegex = Bool(byteLevel, "use_regex", true);

        if (String(model, "continuing_subword_prefix") is { Length: > 0 } || String(model, "end_of_word_suffix") is { Length: > 0 })
        {
            throw Unsupported(path, "BPE continuing_subword_prefix / end_of_word_suffix with a ByteLevel pre-tokenizer.");
        }

        if (Property(model, "dropout").ValueKind == JsonValueKind.Number && model.GetProperty("dropout").GetDouble() != 0)
        {
            throw Unsupported(path, "BPE dropout (it makes encoding random).");
        }

        var unkToken = String(model, "unk_token");
        var unkId = unkToken is not null && vocab.TryGetValue(unkToken, out var u) ? u : -1;
        var merges = ReadMerges(model, vocab, path);
        var special = ResolveSpecialTokens(vocab, added, template, unkToken, path);
        Func<string, string> normalize = nfc ? s => ByteLevelBpeTokenizer.Nfc(s, new Scratch()).ToString() : s => s;
        return new ByteLevelBpeTokenizer(
            vocab, merges, unkId, Bool(model, "fuse_unk", false), Bool(model, "ignore_merges", false), nfc, addPrefixSpace, useRegex,
            new AddedTokenSet(added, normalize), template, special);
    }

    private static Dictionary<long, (int Rank, int NewId)> ReadMerges(JsonElement model, Dictionary<string, int> vocab, string path)
    {
        if (!model.TryGetProperty("merges", out var mergesElement) || mergesElement.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(path, "the BPE model has no \"merges\" array.");
        }

        var merges = new Dictionary<long, (int Rank, int NewId)>(mergesElement.GetArrayLength());
        var rank = 0;
        foreach (var merge in mergesElement.EnumerateArray())
        {
            string left, right;
            if (merge.ValueKind == JsonValueKind.String)
            {
                var text = merge.GetString()!;
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space < 0 || text.IndexOf(' ', space + 1) >= 0)
                {
                    throw Malformed(path, $"merge #{rank} \"{text}\" is not two tokens separated by one space.");
                }

                left = text[..space];
                right = text[(space + 1)..];
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
            {
                left = merge[0].GetString()!;
                right = merge[1].GetString()!;
            }
            else
            {
                throw Malformed(path, $"merge #{rank} is neither a \"a b\" string nor a two-string array.");
            }

            if (!vocab.TryGetValue(left, out var leftId) || !vocab.TryGetValue(right, out var rightId))
            {
                throw Malformed(path, $"merge #{rank} (\"{left}\", \"{right}\") uses a token missing from the vocabulary.");
            }

            if (!vocab.TryGetValue(left + right, out var newId))
            {
                throw Malformed(path, $"the result of merge #{rank} \"{left + right}\" is missing from the vocabulary.");
            }

            merges[((long)leftId << 32) | (uint)rightId] = (rank, newId);
            rank++;
        }

        return merges;
    }

    private static List<AddedTokenInfo> ReadAddedTokens(JsonElement root, string path)
    {
        var added = new List<AddedTokenInfo>();
        var element = Property(root, "added_tokens");
        if (element.ValueKind == JsonValueKind.Undefined || element.ValueKind == JsonValueKind.Null)
        {
            return added;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(path, "\"added_tokens\" is not an array.");
        }

        foreach (var token in element.EnumerateArray())
        {
            var content = String(token, "content") ?? throw Malformed(path, "an added token has no \"content\".");
            if (Property(token, "id").ValueKind != JsonValueKind.Number)
            {
                throw Malformed(path, $"the added token \"{content}\" has no numeric \"id\".");
            }

            var special = Bool(token, "special", false);
            added.Add(new AddedTokenInfo(
                token.GetProperty("id").GetInt32(), content, Bool(token, "single_word", false), Bool(token, "lstrip", false),
                Bool(token, "rstrip", false), Bool(token, "normalized", !special), special));
        }

        return added;
    }

    private static TokenTemplate ReadPostProcessor(JsonElement root, string path)
    {
        var element = Property(root, "post_processor");
        if (element.ValueKind != JsonValueKind.Object)
        {
            return TokenTemplate.Empty;
        }

        TokenTemplate? result = null;
        foreach (var part in Flatten(element, "processors", path, "post_processor"))
        {
            var template = TypeOf(part, path, "post_processor") switch
            {
                "ByteLevel" => null,
                "TemplateProcessing" => ReadTemplateProcessing(part, path),
                "BertProcessing" => TokenTemplate.Bert(PairId(part, "cls", path), PairId(part, "sep", path)),
                "RobertaProcessing" => TokenTemplate.Roberta(PairId(part, "cls", path), PairId(part, "sep", path)),
                var other => throw Unsupported(path, $"post-processor \"{other}\"."),
            };
            if (template is not null)
            {
                if (result is not null)
                {
                    throw Unsupported(path, "more than one post-processor that adds special tokens.");
                }

                result = template;
            }
        }

        return result ?? TokenTemplate.Empty;
    }

    private static int PairId(JsonElement processor, string name, string path)
    {
        var pair = Property(processor, name);
        if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
        {
            throw Malformed(path, $"the post-processor's \"{name}\" is not a [token, id] pair.");
        }

        return pair[1].GetInt32();
    }

    private static TokenTemplate ReadTemplateProcessing(JsonElement processor, string path)
    {
        var specials = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var specialTokens = Property(processor, "special_tokens");
        if (specialTokens.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in specialTokens.EnumerateObject())
            {
                var ids = Property(entry.Value, "ids");
                if (ids.ValueKind != JsonValueKind.Array)
                {
                    throw Malformed(path, $"the template special token \"{entry.Name}\" has no \"ids\" array.");
                }

                specials[entry.Name] = [.. ids.EnumerateArray().Select(e => e.GetInt32())];
            }
        }

        var (singleParts, singleSequenceTypes, _) = ReadTemplatePieces(Property(processor, "single"), specials, path, "single");
        if (singleParts.Count != 2)
        {
            throw Unsupported(path, "a single-sequence template that does not hold exactly $A.");
        }

        var pairElement = Property(processor, "pair");
        List<List<(int Id, int TypeId)>> pairParts;
        int[] pairTypes;
        if (pairElement.ValueKind == JsonValueKind.Array)
        {
            (pairParts, pairTypes, var order) = ReadTemplatePieces(pairElement, specials, path, "pair");
            if (pairParts.Count != 3 || order != "AB")
            {
                throw Unsupported(path, "a pair template that does not hold $A then $B.");
            }
        }
        else
        {
            pairParts = [singleParts[0], singleParts[1], []];
            pairTypes = [singleSequenceTypes[0], 1];
        }

        return new TokenTemplate(
            [.. singleParts[0].Select(p => p.Id)], [.. singleParts[1].Select(p => p.Id)], singleSequenceTypes[0],
            [.. pairParts[0].Select(p => p.Id)], [.. pairParts[1].Select(p => p.Id)], [.. pairParts[2].Select(p => p.Id)],
            pairTypes[0], pairTypes[1], [.. pairParts.SelectMany(p => p).Select(p => p.TypeId)]);
    }

    /// <summary>Splits a template into the special-token runs around its sequences.</summary>
    private static (List<List<(int Id, int TypeId)>> Parts, int[] SequenceTypes, string Order) ReadTemplatePieces(
        JsonElement pieces, Dictionary<string, int[]> specials, string path, string name)
    {
        if (pieces.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(path, $"the template's \"{name}\" is not an array.");
        }

        var parts = new List<List<(int Id, int TypeId)>> { new() };
        var sequenceTypes = new List<int>();
        var order = "";
        foreach (var piece in pieces.EnumerateArray())
        {
            if (piece.TryGetProperty("SpecialToken", out var specialToken))
            {
                var id = String(specialToken, "id") ?? throw Malformed(path, "a template special token has no \"id\".");
                if (!specials.TryGetValue(id, out var ids))
                {
                    throw Malformed(path, $"the template uses the special token \"{id}\" that it does not define.");
                }

                var typeId = Int(specialToken, "type_id", 0);
                parts[^1].AddRange(ids.Select(i => (i, typeId)));
            }
            else if (piece.TryGetProperty("Sequence", out var sequence))
            {
                order += String(sequence, "id") ?? "A";
                sequenceTypes.Add(Int(sequence, "type_id", 0));
                parts.Add([]);
            }
            else
            {
                throw Malformed(path, $"the template's \"{name}\" holds a piece that is neither SpecialToken nor Sequence.");
            }
        }

        return (parts, [.. sequenceTypes], order);
    }

    private static SpecialTokens ResolveSpecialTokens(
        Dictionary<string, int> vocab, List<AddedTokenInfo> added, TokenTemplate template, string? unkToken, string path)
    {
        int Find(string? name)
        {
            if (name is null)
            {
                return -1;
            }

            foreach (var token in added)
            {
                if (token.Content == name)
                {
                    return token.Id;
                }
            }

            return vocab.GetValueOrDefault(name, -1);
        }

        int FindAny(string[] names)
        {
            foreach (var name in names)
            {
                var id = Find(name);
                if (id >= 0)
                {
                    return id;
                }
            }

            return -1;
        }

        var config = ReadSiblingConfig(path);
        int Resolve(string[] keys, string[] names)
        {
            foreach (var key in keys)
            {
                if (config.TryGetValue(key, out var name) && Find(name) is >= 0 and var id)
                {
                    return id;
                }
            }

            return FindAny(names);
        }

        var cls = template.SinglePrefix.Length > 0 ? template.SinglePrefix[0] : Resolve(["cls_token", "bos_token"], ClsNames);
        var sep = template.SingleSuffix.Length > 0 ? template.SingleSuffix[^1] : Resolve(["sep_token", "eos_token"], SepNames);
        var unk = Find(unkToken) is >= 0 and var modelUnk ? modelUnk : Resolve(["unk_token"], UnkNames);
        return new SpecialTokens(cls, sep, Resolve(["pad_token"], PadNames), unk, Resolve(["mask_token"], MaskNames));
    }

    /// <summary>Special-token names from <c>special_tokens_map.json</c> and <c>tokenizer_config.json</c> beside the file,
    /// when present and readable (they are optional: unreadable ones are ignored).</summary>
    private static Dictionary<string, string> ReadSiblingConfig(string path)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is null)
        {
            return names;
        }

        foreach (var file in new[] { "tokenizer_config.json", "special_tokens_map.json" })
        {
            var configPath = Path.Combine(directory, file);
            if (!File.Exists(configPath))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(configPath));
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var key in new[] { "cls_token", "bos_token", "sep_token", "eos_token", "pad_token", "unk_token", "mask_token" })
                {
                    var value = Property(document.RootElement, key);
                    var name = value.ValueKind == JsonValueKind.String ? value.GetString()
                        : value.ValueKind == JsonValueKind.Object ? String(value, "content")
                        : null;
                    if (name is not null)
                    {
                        names.TryAdd(key, name);
                    }
                }
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Optional metadata: the roles then come from the token names.
            }
        }

        return names;
    }

    private static List<JsonElement> Flatten(JsonElement element, string listName, string path, string what)
    {
        var result = new List<JsonElement>();
        if (TypeOf(element, path, what) == "Sequence")
        {
            var list = Property(element, listName);
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw Malformed(path, $"the {what} Sequence has no \"{listName}\" array.");
            }

            foreach (var item in list.EnumerateArray())
            {
                result.AddRange(Flatten(item, listName, path, what));
            }
        }
        else
        {
            result.Add(element);
        }

        return result;
    }

    private static string TypeOf(JsonElement element, string path, string what) =>
        element.ValueKind == JsonValueKind.Object && String(element, "type") is { } type
            ? type
            : throw Malformed(path, $"a {what} has no \"type\".");

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    private static string? String(JsonElement element, string name)
    {
        var value = Property(element, name);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private static bool Bool(JsonElement element, string name, bool fallback) => Property(element, name).ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => fallback,
    };

    private static int Int(JsonElement element, string name, int fallback)
    {
        var value = Property(element, name);
        return value.ValueKind == JsonValueKind.Number ? value.GetInt32() : fallback;
    }
}
