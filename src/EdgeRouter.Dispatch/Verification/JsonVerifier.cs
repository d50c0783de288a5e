using System.Text.Json;
using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// Checks structured answers: with <c>response_format</c> <c>json_object</c> the content must parse as a JSON object;
/// with <c>json_schema</c> it must also conform to the request's schema (see <see cref="JsonSchemaValidator"/>).
/// Requests without a JSON <c>response_format</c> pass. Thread-safe.
/// </summary>
public sealed class JsonVerifier : IAnswerVerifier
{
    /// <summary>The configured name.</summary>
    public const string KindName = "json";

    /// <inheritdoc />
    public string Name => KindName;

    /// <inheritdoc />
    public ValueTask<VerifierVerdict> VerifyAsync(VerificationContext context, Completion answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(answer);
        var format = context.Request.Request.ResponseFormat;
        string? name = null;
        var schema = format == "json_schema" ? context.ResponseSchema(out name) : null;
        return new(Check(answer, format, schema, name));
    }

    /// <summary>The verdict on <paramref name="answer"/> for a request with <paramref name="responseFormat"/> and, for <c>json_schema</c>, <paramref name="schema"/>.</summary>
    public VerifierVerdict Check(Completion answer, string? responseFormat, JsonSchemaValidator? schema, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var model = answer.Model.Id;
        if (responseFormat is not ("json_object" or "json_schema"))
        {
            return new(Name, model, true, "no JSON response_format");
        }

        if (answer.Content is not { } content)
        {
            return new(Name, model, false, answer.Refusal is null ? "no content" : "refused instead of JSON");
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            if (schema is null)
            {
                return document.RootElement.ValueKind == JsonValueKind.Object
                    ? new(Name, model, true, "valid JSON object")
                    : new(Name, model, false, $"JSON {Describe(document.RootElement.ValueKind)}, not an object");
            }

            return schema.Validate(document.RootElement, out var error)
                ? new(Name, model, true, name is null ? "matches the schema" : $"matches schema '{name}'")
                : new(Name, model, false, "schema: " + error);
        }
        catch (JsonException ex)
        {
            return new(Name, model, false, "invalid JSON: " + JsonSchemaValidator.ShortMessage(ex));
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
