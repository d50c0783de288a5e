using System.Text.Json;
using EdgeRouter.Protocol;

namespace EdgeRouter.Simulator;

/// <summary>A scripted reply chosen for one request.</summary>
/// <param name="Content">The answer text.</param>
/// <param name="FinishReason"><c>stop</c> or <c>length</c>.</param>
/// <param name="ErrorStatus">Non-zero: answer with this HTTP error instead.</param>
/// <param name="DelayMs">Extra delay before the answer.</param>
internal sealed record ScriptedReply(string Content, string FinishReason, int ErrorStatus, int DelayMs)
{
    /// <summary>The answer as stream chunks, one per word with its leading spaces; joined they give <see cref="Content"/> exactly.</summary>
    public List<string> Chunks()
    {
        var chunks = new List<string>();
        var start = 0;
        for (var i = 1; i < Content.Length; i++)
        {
            if (Content[i] == ' ' && Content[i - 1] != ' ')
            {
                chunks.Add(Content[start..i]);
                start = i;
            }
        }

        if (Content.Length > 0)
        {
            chunks.Add(Content[start..]);
        }

        return chunks;
    }
}

/// <summary>
/// Scripted answers and the simulated judge. A request is first checked for the judge protocol (its last user
/// message holds <c>&lt;question&gt;…&lt;/question&gt;</c> and <c>&lt;answer&gt;…&lt;/answer&gt;</c> blocks, the shape
/// EdgeRouter's judge verifier sends): the reply is <c>Score: 9</c> when the judged answer is the content of a
/// scripted entry for that question marked correct, <c>Score: 2</c> when it is an incorrect entry's content or when
/// entries exist for the question but none gave that answer, and follows <c>unscriptedCorrect</c> when no entry
/// matches the question; with accuracy below 1 a seeded generator flips that verdict with probability 1 − accuracy.
/// Otherwise the first entry for the request's model whose match fits the last user message answers, else the first
/// entry for any model. Thread-safe: entries are replaced copy-on-write.
/// </summary>
internal sealed class AnswerScript
{
    /// <summary>The scores the simulated judge gives.</summary>
    public const int CorrectScore = 9;

    /// <inheritdoc cref="CorrectScore"/>
    public const int IncorrectScore = 2;

    private readonly Lock _gate = new();
    private readonly int _defaultSeed;
    private Entry[] _entries = [];
    private Random _judgeRandom;
    private double _judgeAccuracy = 1.0;
    private bool _unscriptedCorrect = true;

    public AnswerScript(int seed)
    {
        _defaultSeed = seed;
        _judgeRandom = new Random(seed);
    }

    public int Count => Volatile.Read(ref _entries).Length;

    public void Add(IEnumerable<ScriptedAnswer> answers, bool replace)
    {
        lock (_gate)
        {
            var added = answers.Select(a => new Entry(a));
            _entries = replace ? [.. added] : [.. _entries, .. added];
        }
    }

    public void ConfigureJudge(double accuracy, int? seed, bool unscriptedCorrect)
    {
        lock (_gate)
        {
            _judgeAccuracy = accuracy;
            _judgeRandom = new Random(seed ?? _defaultSeed);
            _unscriptedCorrect = unscriptedCorrect;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries = [];
            _judgeAccuracy = 1.0;
            _judgeRandom = new Random(_defaultSeed);
            _unscriptedCorrect = true;
        }
    }

    /// <summary>The scripted reply for a request to <paramref name="model"/> with <paramref name="messages"/> (the messages array's JSON), or null.</summary>
    public ScriptedReply? Resolve(ReadOnlySpan<byte> messages, string model)
    {
        var entries = Volatile.Read(ref _entries);
        // The benchmark path: no script and no judge prompt. The tags are usually escaped in JSON (\u003C), so the
        // cheap pre-check looks for the bare word.
        if (entries.Length == 0 && messages.IndexOf("question"u8) < 0)
        {
            return null;
        }

        var text = LastUserText(messages);
        if (text is null)
        {
            return null;
        }

        if (TryReadJudgePrompt(text, out var question, out var answer))
        {
            return new ScriptedReply($"Score: {Judge(entries, question, answer)}", "stop", 0, 0);
        }

        var entry = Find(entries, text, model);
        return entry?.Reply();
    }

    private static Entry? Find(Entry[] entries, string text, string model)
    {
        Entry? anyModel = null;
        foreach (var entry in entries)
        {
            if (!entry.Matches(text))
            {
                continue;
            }

            if (entry.Answer.Model == model)
            {
                return entry;
            }

            if (entry.Answer.Model is null)
            {
                anyModel ??= entry;
            }
        }

        return anyModel;
    }

    private int Judge(Entry[] entries, string question, string answer)
    {
        bool? correct = null;
        var scripted = false;
        foreach (var entry in entries)
        {
            if (!entry.Matches(question))
            {
                continue;
            }

            scripted = true;
            if (entry.Gave(answer))
            {
                correct = entry.Answer.IsCorrect;
                break;
            }
        }

        lock (_gate)
        {
            var verdict = correct ?? (!scripted && _unscriptedCorrect);
            if (_judgeAccuracy < 1.0 && _judgeRandom.NextDouble() >= _judgeAccuracy)
            {
                verdict = !verdict;
            }

            return verdict ? CorrectScore : IncorrectScore;
        }
    }

    internal static bool TryReadJudgePrompt(string text, out string question, out string answer)
    {
        question = answer = "";
        var q0 = text.IndexOf("<question>", StringComparison.Ordinal);
        var q1 = text.IndexOf("</question>", StringComparison.Ordinal);
        var a0 = text.IndexOf("<answer>", StringComparison.Ordinal);
        var a1 = text.LastIndexOf("</answer>", StringComparison.Ordinal);
        if (q0 < 0 || q1 < q0 || a0 < q1 || a1 < a0)
        {
            return false;
        }

        question = text[(q0 + "<question>".Length)..q1].Trim();
        answer = text[(a0 + "<answer>".Length)..a1].Trim();
        return true;
    }

    /// <summary>The text of the last message whose role is <c>user</c>: its string content or its text parts joined by newlines.</summary>
    internal static string? LastUserText(ReadOnlySpan<byte> messages)
    {
        try
        {
            var reader = new Utf8JsonReader(messages);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            string? last = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                var isUser = false;
                string? content = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("role"u8))
                    {
                        reader.Read();
                        isUser = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("user"u8);
                    }
                    else if (reader.ValueTextEquals("content"u8))
                    {
                        reader.Read();
                        content = MessageContent.ReadText(ref reader, out _);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (isUser)
                {
                    last = content ?? "";
                }
            }

            return last;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A scripted answer with its per-entry sample counter.</summary>
    private sealed class Entry(ScriptedAnswer answer)
    {
        private int _samples;

        public ScriptedAnswer Answer { get; } = answer;

        public bool Matches(string text) => Answer.Exact
            ? string.Equals(text.Trim(), Answer.Match.Trim(), StringComparison.Ordinal)
            : text.Contains(Answer.Match, StringComparison.OrdinalIgnoreCase);

        public ScriptedReply Reply()
        {
            var content = Answer.Content ?? "";
            return Answer.Behaviour switch
            {
                ScriptedBehaviour.Refuse => new(ScriptedAnswer.RefusalText, "stop", 0, Answer.DelayMs),
                ScriptedBehaviour.Truncate => new(Truncated(content), "length", 0, Answer.DelayMs),
                ScriptedBehaviour.Empty => new("", "stop", 0, Answer.DelayMs),
                ScriptedBehaviour.InvalidJson => new(InvalidJson(content), "stop", 0, Answer.DelayMs),
                ScriptedBehaviour.Error => new("", "stop", Answer.Status, Answer.DelayMs),
                ScriptedBehaviour.Inconsistent => new($"{content} (sample {Interlocked.Increment(ref _samples)})", "stop", 0, Answer.DelayMs),
                _ => new(content, "stop", 0, Answer.DelayMs),
            };
        }

        /// <summary>True when <paramref name="answer"/> is what this entry answers (any sample of an inconsistent one).</summary>
        public bool Gave(string answer)
        {
            var content = Answer.Content ?? "";
            return Answer.Behaviour switch
            {
                ScriptedBehaviour.Refuse => Same(answer, ScriptedAnswer.RefusalText),
                ScriptedBehaviour.Truncate => Same(answer, Truncated(content)),
                ScriptedBehaviour.Empty => answer.Trim().Length == 0,
                ScriptedBehaviour.InvalidJson => Same(answer, InvalidJson(content)),
                ScriptedBehaviour.Error => false,
                ScriptedBehaviour.Inconsistent => answer.Trim().StartsWith(content.Trim(), StringComparison.OrdinalIgnoreCase),
                _ => Same(answer, content),
            };
        }

        private static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

        private static string Truncated(string content)
        {
            var words = (content.Length > 0 ? content : "This answer was cut off before it could finish").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(' ', words.Take(Math.Max(1, words.Length / 2)));
        }

        private static string InvalidJson(string content) => "{\"answer\": \"" + (content.Length > 0 ? content : "unterminated");
    }
}
