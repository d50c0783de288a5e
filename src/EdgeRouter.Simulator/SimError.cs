using System.Text.Json;

namespace EdgeRouter.Simulator;

/// <summary>An OpenAI-style error answer: status and the fields of <c>{"error":{...}}</c>.</summary>
internal sealed record SimError(int Status, string Message, string Type, string? Param, string? Code)
{
    public static SimError Invalid(string message, string? param = null, string? code = null) =>
        new(400, message, "invalid_request_error", param, code);

    public static SimError InvalidJson(string detail) =>
        Invalid($"We could not parse the JSON body of your request: {detail.TrimEnd('.', ' ')}.", code: "invalid_json");

    public static SimError InvalidJson(JsonException exception)
    {
        // The reader appends " LineNumber: .. | BytePositionInLine: .."; the position is reported once, 1-based.
        var message = exception.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        return InvalidJson($"{message.TrimEnd('.', ' ')} (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})");
    }

    public static SimError Missing(string param) =>
        Invalid($"Missing required parameter: '{param}'.", param, "missing_required_parameter");

    public static SimError WrongType(string param, string expected) =>
        Invalid($"Invalid type for '{param}': expected {expected}.", param, "invalid_type");

    public static SimError ModelNotFound(string model) =>
        new(404, $"The model '{model}' does not exist", "invalid_request_error", "model", "model_not_found");
}
