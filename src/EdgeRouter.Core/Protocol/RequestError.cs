namespace EdgeRouter.Protocol;

/// <summary>Why a request is rejected, in OpenAI's error vocabulary.</summary>
/// <param name="StatusCode">HTTP status, 4xx.</param>
/// <param name="Message">Human-readable explanation.</param>
/// <param name="Param">The offending parameter (<c>messages[0].content</c>), if any.</param>
/// <param name="Code">Machine-readable code, e.g. <c>invalid_type</c>.</param>
public sealed record RequestError(int StatusCode, string Message, string? Param, string Code)
{
    /// <summary>The OpenAI error <c>type</c> for this status.</summary>
    public string Type => OpenAiErrors.TypeFor(StatusCode);

    /// <summary>A field has the wrong JSON type.</summary>
    public static RequestError InvalidType(string param, string expected, string got) =>
        new(400, $"Invalid type for '{param}': expected {expected}, but got {got}.", param, "invalid_type");

    /// <summary>A field has a value outside what is accepted.</summary>
    public static RequestError InvalidValue(string param, string message) =>
        new(400, $"Invalid value for '{param}': {message}", param, "invalid_value");

    /// <summary>A required field is absent.</summary>
    public static RequestError Missing(string param) =>
        new(400, $"Missing required parameter: '{param}'.", param, "missing_required_parameter");
}
