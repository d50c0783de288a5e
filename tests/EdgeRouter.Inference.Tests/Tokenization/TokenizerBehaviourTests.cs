using System.Text;
using EdgeRouter.Inference.Tokenization;

namespace EdgeRouter.Tests.Tokenization;

public class TokenizerBehaviourTests
{
    public static TheoryData<string> AllTokenizers() => ["bert-uncased", "modernbert", "gpt-neox-20b"];

    private static readonly string LongText = string.Concat(Enumerable.Repeat(
        "The quick brown fox jumps over the lazy dog; naïve café owners sell 12.5 crêpes — 每天 🥞! ", 400));

    [Fact]
    public void LoadPicksTheRightModelAndSpecialTokens()
    {
        var bert = TokenizerTestData.Get("bert-uncased");
        var modernBert = TokenizerTestData.Get("modernbert");
        var neox = TokenizerTestData.Get("gpt-neox-20b");

        Assert.IsType<WordPieceTokenizer>(bert);
        Assert.Equal(new SpecialTokens(101, 102, 0, 100, 103), bert.Special);
        Assert.Equal(30522, bert.VocabularySize);
        Assert.Equal(2, bert.SpecialTokenCount);
        Assert.Equal(3, bert.PairSpecialTokenCount);

        Assert.IsType<ByteLevelBpeTokenizer>(modernBert);
        Assert.Equal(new SpecialTokens(50281, 50282, 50283, 50280, 50284), modernBert.Special);
        Assert.Equal(50368, modernBert.VocabularySize);
        Assert.Equal(2, modernBert.SpecialTokenCount);

        Assert.IsType<ByteLevelBpeTokenizer>(neox);
        Assert.Equal(new SpecialTokens(-1, 50279, 1, -1, -1), neox.Special);
        Assert.Equal(50279, neox.Special.Eos);
        Assert.Equal(50280, neox.VocabularySize);
        Assert.Equal(0, neox.SpecialTokenCount);
    }

    [Fact]
    public void TokenAndIdLookupsCoverVocabularyAndAddedTokens()
    {
        var bert = TokenizerTestData.Get("bert-uncased");
        var modernBert = TokenizerTestData.Get("modernbert");

        Assert.Equal(7592, bert.TokenToId("hello"));
        Assert.Equal("hello", bert.IdToToken(7592));
        Assert.Equal(-1, bert.TokenToId("no-such-token"));
        Assert.Null(bert.IdToToken(-1));
        Assert.Null(bert.IdToToken(bert.VocabularySize));
        Assert.Equal(50284, modernBert.TokenToId("[MASK]"));
        Assert.Equal("ĠHello", modernBert.IdToToken(modernBert.TokenToId("ĠHello")));
    }

    [Fact]
    public void BertFromVocabTxtGivesTheSameIdsAsFromTokenizerJson()
    {
        var fromJson = TokenizerTestData.Get("bert-uncased");
        var fromVocab = TokenizerTestData.Get("bert-uncased-vocab");
        var fixtures = TokenizerTestData.ReadFixtures("fixtures.jsonl").Concat(TokenizerTestData.ReadFixtures("extra-fixtures.jsonl"))
            .Where(f => f.Tokenizer == "bert-uncased")
            .ToList();

        Assert.IsType<WordPieceTokenizer>(fromVocab);
        Assert.Equal(fromJson.Special, fromVocab.Special);
        Assert.Equal(fromJson.VocabularySize, fromVocab.VocabularySize);
        Assert.True(fixtures.Count > 100);
        foreach (var fixture in fixtures)
        {
            Assert.Equal(fixture.Ids, TokenizerTestData.Encode(fromVocab, fixture));
        }

        Assert.Equal(fromJson.Encode(LongText), fromVocab.Encode(LongText));
    }

    [Fact]
    public void LoadingADirectoryPrefersTokenizerJsonAndFallsBackToVocabTxt()
    {
        Assert.IsType<WordPieceTokenizer>(Tokenizer.Load(TokenizerTestData.BertDirectory));

        var directory = Directory.CreateTempSubdirectory("edgerouter-vocab-only-");
        try
        {
            File.Copy(TokenizerTestData.BertVocab, Path.Combine(directory.FullName, "vocab.txt"));
            var tokenizer = Tokenizer.Load(directory.FullName);

            Assert.Equal([101, 7592, 2088, 102], tokenizer.Encode("Hello World"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void VocabTxtOptionsAreHonoured()
    {
        var cased = WordPieceTokenizer.FromVocabFile(TokenizerTestData.BertVocab, new WordPieceOptions { Lowercase = false });
        var keepAccents = WordPieceTokenizer.FromVocabFile(
            TokenizerTestData.BertVocab, new WordPieceOptions { StripAccents = false });

        // Upper-case letters are not in the uncased vocabulary, so "Hello" no longer maps to "hello".
        Assert.NotEqual(7592, cased.Encode("Hello")[1]);
        Assert.Equal(TokenizerTestData.Get("bert-uncased-no-lowercase").Encode("Hello Wörld"), cased.Encode("Hello Wörld"));
        Assert.Equal(TokenizerTestData.Get("bert-uncased-keep-accents").Encode("café naïve İ"), keepAccents.Encode("café naïve İ"));
    }

    [Fact]
    public void BpeMergesGivenAsPairsLoadLikeMergesGivenAsStrings()
    {
        var strings = TokenizerTestData.Get("gpt-neox-20b");
        var pairs = TokenizerTestData.Get("gpt-neox-20b-merge-pairs");

        foreach (var fixture in TokenizerTestData.ReadFixtures("extra-fixtures.jsonl").Where(f => f.Tokenizer == "gpt-neox-20b"))
        {
            Assert.Equal(fixture.Ids, TokenizerTestData.Encode(pairs, fixture));
        }

        Assert.Equal(strings.Encode(LongText), pairs.Encode(LongText));
    }

    [Theory]
    [MemberData(nameof(AllTokenizers))]
    public void TruncationKeepsTheHeadTheTailAndTheSpecialTokens(string name)
    {
        var tokenizer = TokenizerTestData.Get(name);
        var content = tokenizer.Encode(LongText, addSpecialTokens: false);
        var withSpecials = tokenizer.Encode(LongText);
        var prefix = withSpecials[..(tokenizer.Special.Cls == -1 ? 0 : 1)];
        var suffix = withSpecials[(prefix.Length + content.Length)..];
        Assert.True(content.Length > 2000);

        foreach (var size in new[] { 2, 3, 4, 17, 32, 128, 512, 513 })
        {
            var destination = new int[size];
            var count = tokenizer.Encode(LongText, destination);
            var budget = size - prefix.Length - suffix.Length;
            var head = budget / 2;

            Assert.Equal(size, count);
            int[] expected = [.. prefix, .. content[..head], .. content[^(budget - head)..], .. suffix];
            Assert.Equal(expected, destination);
        }
    }

    [Theory]
    [MemberData(nameof(AllTokenizers))]
    public void ExactlyFittingOutputIsNotTruncated(string name)
    {
        var tokenizer = TokenizerTestData.Get(name);
        const string text = "A short sentence that fits exactly, with café and 🥞.";
        var expected = tokenizer.Encode(text);

        var exact = new int[expected.Length];
        Assert.Equal(expected.Length, tokenizer.Encode(text, exact));
        Assert.Equal(expected, exact);

        var roomy = new int[expected.Length + 10];
        Assert.Equal(expected.Length, tokenizer.Encode(text, roomy));
        Assert.Equal(expected, roomy[..expected.Length]);

        var oneShort = new int[expected.Length - 1];
        Assert.Equal(oneShort.Length, tokenizer.Encode(text, oneShort));
        var specials = tokenizer.SpecialTokenCount;
        var budget = oneShort.Length - specials;
        var content = tokenizer.Encode(text, addSpecialTokens: false);
        Assert.Equal(content[..(budget / 2)], oneShort.AsSpan(specials == 0 ? 0 : 1, budget / 2).ToArray());
        Assert.Equal(content[^(budget - (budget / 2))..], oneShort.AsSpan((specials == 0 ? 0 : 1) + (budget / 2), budget - (budget / 2)).ToArray());
    }

    [Fact]
    public void TruncationWithoutSpecialTokensUsesTheWholeDestination()
    {
        var bert = TokenizerTestData.Get("bert-uncased");
        var content = bert.Encode(LongText, addSpecialTokens: false);
        var destination = new int[9];

        Assert.Equal(9, bert.Encode(LongText, destination, addSpecialTokens: false));
        Assert.Equal([.. content[..4], .. content[^5..]], destination);
    }

    [Fact]
    public void ADestinationTooSmallForTheSpecialTokensIsRejected()
    {
        var bert = TokenizerTestData.Get("bert-uncased");

        var error = Assert.Throws<ArgumentException>(() => bert.Encode("hello", new int[1]));
        Assert.Contains("special tokens", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bert.Encode("hello", Span<int>.Empty, addSpecialTokens: false));
    }

    [Fact]
    public void PairsAreLaidOutAndTruncatedLongestFirst()
    {
        var bert = TokenizerTestData.Get("bert-uncased");
        var query = bert.Encode("what is the capital of france?", addSpecialTokens: false);
        var passage = bert.Encode(LongText, addSpecialTokens: false);
        var ids = new int[64];
        var typeIds = new int[64];

        var count = bert.EncodePair("what is the capital of france?", LongText, ids, typeIds);

        Assert.Equal(64, count);
        var keep = 64 - 3 - query.Length;
        int[] expected = [101, .. query, 102, .. passage[..(keep / 2)], .. passage[^(keep - (keep / 2))..], 102];
        Assert.Equal(expected, ids);
        Assert.Equal(Enumerable.Repeat(0, query.Length + 2).Concat(Enumerable.Repeat(1, keep + 1)), typeIds);

        // Both long: each gets half of the budget.
        count = bert.EncodePair(LongText, LongText, ids);
        Assert.Equal(64, count);
        Assert.Equal(30, ids.AsSpan(1, 63).IndexOf(102));
    }

    [Theory]
    [MemberData(nameof(AllTokenizers))]
    public void CountTokensMatchesEncode(string name)
    {
        var tokenizer = TokenizerTestData.Get(name);
        foreach (var text in new[] { "", "hello", LongText, "naïve 🥞 每天 [MASK]" })
        {
            Assert.Equal(tokenizer.Encode(text).Length, tokenizer.CountTokens(text));
            Assert.Equal(tokenizer.Encode(text, addSpecialTokens: false).Length, tokenizer.CountTokens(text, addSpecialTokens: false));
        }
    }

    [Theory]
    [MemberData(nameof(AllTokenizers))]
    public void LoneSurrogatesReadAsReplacementCharacters(string name)
    {
        var tokenizer = TokenizerTestData.Get(name);

        Assert.Equal(tokenizer.Encode("a\uFFFDb"), tokenizer.Encode("a\uD800b"));
        Assert.Equal(tokenizer.Encode("x\uFFFD\uFFFDy 🥞"), tokenizer.Encode("x\uDC00\uD83Dy 🥞"));
        Assert.Equal(tokenizer.Encode("\uFFFD"), tokenizer.Encode("\uD83D"));
    }

    [Fact]
    public void ConcurrentEncodingGivesTheSameIds()
    {
        var fixtures = TokenizerTestData.ReadFixtures("fixtures.jsonl")
            .Concat(TokenizerTestData.ReadFixtures("extra-fixtures.jsonl"))
            .Where(f => f.Tokenizer is "bert-uncased" or "modernbert" or "gpt-neox-20b")
            .ToArray();

        // Fresh instances, so the BPE caches fill up while several threads use them.
        var tokenizers = new Dictionary<string, Tokenizer>
        {
            ["bert-uncased"] = Tokenizer.Load(TokenizerTestData.BertJson),
            ["modernbert"] = Tokenizer.Load(TokenizerTestData.ModernBertJson),
            ["gpt-neox-20b"] = Tokenizer.Load(TokenizerTestData.GptNeoXJson),
        };
        var failures = 0;
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var order = fixtures.OrderBy(f => HashCode.Combine(f.Line, f.File, t)).ToArray();
            for (var round = 0; round < 3; round++)
            {
                foreach (var fixture in order)
                {
                    if (!fixture.Ids.AsSpan().SequenceEqual(TokenizerTestData.Encode(tokenizers[fixture.Tokenizer], fixture)))
                    {
                        Interlocked.Increment(ref failures);
                    }
                }

                var truncated = new int[100];
                var tokenizer = tokenizers[order[round].Tokenizer];
                tokenizer.Encode(LongText, truncated);
                var full = tokenizer.Encode(LongText, addSpecialTokens: false);
                var start = tokenizer.SpecialTokenCount == 0 ? 0 : 1;
                var budget = 100 - tokenizer.SpecialTokenCount;
                if (!truncated.AsSpan(start, budget / 2).SequenceEqual(full.AsSpan(0, budget / 2)))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(0, failures);
    }

    [Fact]
    public void AMalformedTokenizerJsonFailsWithItsPath()
    {
        AssertLoadFails<InvalidDataException>("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0", "not valid JSON");
        AssertLoadFails<InvalidDataException>("[1, 2, 3]", "not a JSON object");
        AssertLoadFails<InvalidDataException>("{\"version\": \"1.0\"}", "no \"model\"");
        AssertLoadFails<InvalidDataException>("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": \"zero\"}}}", "malformed");
        AssertLoadFails<InvalidDataException>(
            "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": [\"a b\"]}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}",
            "\"ab\" is missing from the vocabulary");
        AssertLoadFails<InvalidDataException>(
            "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a\"]}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}",
            "is not two tokens");
        AssertLoadFails<InvalidDataException>(
            "{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": {\"a\": 0}}, \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}}",
            "\"[UNK]\" is not in the vocabulary");
        AssertLoadFails<NotSupportedException>("{\"model\": {\"type\": \"Unigram\", \"vocab\": {\"a\": 0}}}", "model type \"Unigram\"");
        AssertLoadFails<InvalidDataException>("", "not valid JSON");
    }

    [Fact]
    public void AMalformedVocabTxtFailsWithItsPath()
    {
        var directory = Directory.CreateTempSubdirectory("edgerouter-bad-vocab-");
        try
        {
            var empty = Path.Combine(directory.FullName, "vocab.txt");
            File.WriteAllText(empty, "");
            var error = Assert.Throws<InvalidDataException>(() => Tokenizer.Load(empty));
            Assert.Contains(empty, error.Message, StringComparison.Ordinal);

            File.WriteAllText(empty, "[PAD]\n[CLS]\n[SEP]\nhello\n");
            error = Assert.Throws<InvalidDataException>(() => Tokenizer.Load(directory.FullName));
            Assert.Contains(empty, error.Message, StringComparison.Ordinal);
            Assert.Contains("[UNK]", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void AMissingFileIsReportedWithItsPath()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "tokenizer.json");

        var error = Assert.Throws<FileNotFoundException>(() => Tokenizer.Load(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    private static void AssertLoadFails<TException>(string content, string expectedMessagePart)
        where TException : Exception
    {
        var directory = Directory.CreateTempSubdirectory("edgerouter-bad-tokenizer-");
        try
        {
            var path = Path.Combine(directory.FullName, "tokenizer.json");
            File.WriteAllText(path, content, new UTF8Encoding(false));

            var error = Assert.Throws<TException>(() => Tokenizer.Load(path));

            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
