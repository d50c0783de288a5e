using System.Buffers;
using System.Text.Json;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// The request a <c>judge</c> verifier sends: a system message with the rubric and the scoring instruction, and a
/// user message holding the client's last user message between <c>&lt;question&gt;</c> tags and the answer between
/// <c>&lt;answer&gt;</c> tags, each tag on its own line. The simulator recognises this shape and answers with a
/// scripted score. Only <c>model</c> and <c>messages</c> are sent, so reasoning models that reject
/// <c>temperature</c> or <c>max_tokens</c> can judge too.
/// </summary>
public static class JudgePrompt
{
    /// <summary>The rubric used when none is configured.</summary>
    public const string DefaultRubric =
        "Judge whether the answer correctly and helpfully responds to the question: it must be accurate, complete, "
        + "on topic and must not refuse a reasonable request.";

    /// <summary>The scoring instruction that ends the system message.</summary>
    public const string Instruction =
        "Rate the answer on a scale from 1 (wrong, useless or a refusal) to 10 (fully correct and helpful). "
        + "Reply with one line of the form \"Score: N\" and nothing else.";

    /// <summary>The chat completion request body for judging <paramref name="answer"/> to <paramref name="question"/>.</summary>
    public static byte[] Build(string? rubric, string question, string answer)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answer);
        var buffer = new ArrayBufferWriter<byte>(512 + (question.Length + answer.Length) * 2);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, "judge");
            json.WriteStartArray("messages"u8);
            json.WriteStartObject();
            json.WriteString("role"u8, "system");
            json.WriteString("content"u8, "You are an impartial judge of answers. " + (rubric ?? DefaultRubric) + "\n" + Instruction);
            json.WriteEndObject();
            json.WriteStartObject();
            json.WriteString("role"u8, "user");
            json.WriteString("content"u8, $"<question>\n{question}\n</question>\n<answer>\n{answer}\n</answer>");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
