using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// Validates JSON values against a JSON Schema in the subset OpenAI structured outputs accept: <c>type</c> (a name or
/// an array of names), <c>properties</c>, <c>required</c>, <c>additionalProperties</c> (false, true or a schema),
/// <c>items</c>, <c>enum</c>, <c>const</c>, <c>anyOf</c> (and <c>allOf</c>), <c>$ref</c> to <c>#</c>, <c>#/$defs/…</c>,
/// <c>#/definitions/…</c> or any JSON pointer into the root, string bounds (<c>minLength</c>, <c>maxLength</c> in code
/// points, <c>pattern</c>, <c>format</c>: date-time, date, time, duration, email, hostname, ipv4, ipv6, uuid), number
/// bounds (<c>minimum</c>, <c>maximum</c>, <c>exclusiveMinimum</c>, <c>exclusiveMaximum</c>, <c>multipleOf</c>) and
/// array bounds (<c>minItems</c>, <c>maxItems</c>). Other keywords (<c>description</c>, <c>title</c>, <c>default</c>,
/// <c>strict</c>…) are ignored. Immutable once built and thread-safe; compiled patterns are cached.
/// </summary>
public sealed partial class JsonSchemaValidator
{
    private const int MaxDepth = 128;
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    private readonly JsonElement _root;
    private readonly Dictionary<string, Regex?> _patterns = new(StringComparer.Ordinal);
    private readonly Lock _patternsLock = new();

    /// <summary>Creates a validator for <paramref name="schema"/> (copied; the caller's document may be disposed).</summary>
    public JsonSchemaValidator(JsonElement schema)
    {
        _root = schema.Clone();
    }

    /// <summary>Parses <paramref name="schemaJson"/> and creates a validator for it.</summary>
    /// <exception cref="JsonException">The schema is not JSON.</exception>
    public static JsonSchemaValidator Parse(string schemaJson)
    {
        using var document = JsonDocument.Parse(schemaJson);
        return new JsonSchemaValidator(document.RootElement);
    }

    /// <summary>
    /// Checks <paramref name="instance"/>. Returns true when it conforms; otherwise false and the first problem with
    /// its location, e.g. <c>$.items[2].name: expected string, got number</c>.
    /// </summary>
    public bool Validate(JsonElement instance, out string? error)
    {
        var errors = new List<string>(1);
        var valid = Check(_root, instance, "$", errors, 0);
        error = valid ? null : errors.Count > 0 ? errors[0] : "$: does not match the schema";
        return valid;
    }

    /// <summary>Parses <paramref name="json"/> and validates it; a parse failure is reported as the error.</summary>
    public bool Validate(string json, out string? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return Validate(document.RootElement, out error);
        }
        catch (JsonException ex)
        {
            error = "not JSON: " + ShortMessage(ex);
            return false;
        }
    }

    internal static string ShortMessage(JsonException exception)
    {
        var message = exception.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ', '|');
    }

    /// <summary>Checks one value; reports problems to <paramref name="errors"/> when it is not null (anyOf branches check silently).</summary>
    private bool Check(JsonElement schema, JsonElement value, string path, List<string>? errors, int depth)
    {
        if (depth > MaxDepth)
        {
            return Fail(errors, path, "schema nests or refers to itself too deeply");
        }

        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return Fail(errors, path, "no value is allowed here");
            case JsonValueKind.Object:
                break;
            default:
                return Fail(errors, path, "the schema here is not an object");
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            if (reference.ValueKind != JsonValueKind.String || !TryResolve(reference.GetString()!, out var target))
            {
                return Fail(errors, path, $"cannot resolve $ref {reference.GetRawText()}");
            }

            if (!Check(target, value, path, errors, depth + 1))
            {
                return false;
            }
        }

        if (schema.TryGetProperty("type", out var type) && !MatchesType(type, value))
        {
            return Fail(errors, path, $"expected {DescribeType(type)}, got {KindOf(value)}");
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            return Fail(errors, path, $"must be {Excerpt(constant)}, got {Excerpt(value)}");
        }

        if (schema.TryGetProperty("enum", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            var found = false;
            foreach (var choice in choices.EnumerateArray())
            {
                if (JsonElement.DeepEquals(choice, value))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return Fail(errors, path, $"{Excerpt(value)} is not one of {Excerpt(choices)}");
            }
        }

        if (schema.TryGetProperty("anyOf", out var anyOf) && anyOf.ValueKind == JsonValueKind.Array)
        {
            var matched = false;
            foreach (var branch in anyOf.EnumerateArray())
            {
                if (Check(branch, value, path, null, depth + 1))
                {
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                return Fail(errors, path, $"matches none of the {anyOf.GetArrayLength()} anyOf schemas");
            }
        }

        if (schema.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array)
        {
            foreach (var branch in allOf.EnumerateArray())
            {
                if (!Check(branch, value, path, errors, depth + 1))
                {
                    return false;
                }
            }
        }

        return value.ValueKind switch
        {
            JsonValueKind.Object => CheckObject(schema, value, path, errors, depth),
            JsonValueKind.Array => CheckArray(schema, value, path, errors, depth),
            JsonValueKind.String => CheckString(schema, value.GetString()!, path, errors),
            JsonValueKind.Number => CheckNumber(schema, value, path, errors),
            _ => true,
        };
    }

    private bool CheckObject(JsonElement schema, JsonElement value, string path, List<string>? errors, int depth)
    {
        schema.TryGetProperty("properties", out var properties);
        var hasProperties = properties.ValueKind == JsonValueKind.Object;
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !value.TryGetProperty(name.GetString()!, out _))
                {
                    return Fail(errors, path, $"missing required property '{name.GetString()}'");
                }
            }
        }

        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var member in value.EnumerateObject())
        {
            var memberPath = MemberPath(path, member.Name);
            if (hasProperties && properties.TryGetProperty(member.Name, out var propertySchema))
            {
                if (!Check(propertySchema, member.Value, memberPath, errors, depth + 1))
                {
                    return false;
                }
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                return Fail(errors, path, $"property '{member.Name}' is not allowed (additionalProperties is false)");
            }
            else if (additional.ValueKind == JsonValueKind.Object && !Check(additional, member.Value, memberPath, errors, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    private bool CheckArray(JsonElement schema, JsonElement value, string path, List<string>? errors, int depth)
    {
        var count = value.GetArrayLength();
        if (TryGetNumber(schema, "minItems", out var minItems) && count < minItems)
        {
            return Fail(errors, path, $"has {count} items, fewer than minItems {minItems}");
        }

        if (TryGetNumber(schema, "maxItems", out var maxItems) && count > maxItems)
        {
            return Fail(errors, path, $"has {count} items, more than maxItems {maxItems}");
        }

        if (schema.TryGetProperty("items", out var items) && items.ValueKind is JsonValueKind.Object or JsonValueKind.False or JsonValueKind.True)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (!Check(items, item, $"{path}[{index}]", errors, depth + 1))
                {
                    return false;
                }

                index++;
            }
        }

        return true;
    }

    private bool CheckString(JsonElement schema, string value, string path, List<string>? errors)
    {
        var length = CodePoints(value);
        if (TryGetNumber(schema, "minLength", out var minLength) && length < minLength)
        {
            return Fail(errors, path, $"is {length} characters long, shorter than minLength {minLength}");
        }

        if (TryGetNumber(schema, "maxLength", out var maxLength) && length > maxLength)
        {
            return Fail(errors, path, $"is {length} characters long, longer than maxLength {maxLength}");
        }

        if (schema.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.String)
        {
            var regex = Pattern(pattern.GetString()!);
            if (regex is null)
            {
                return Fail(errors, path, $"the schema's pattern {pattern.GetRawText()} is not a valid regular expression");
            }

            bool matched;
            try
            {
                matched = regex.IsMatch(value);
            }
            catch (RegexMatchTimeoutException)
            {
                return Fail(errors, path, $"pattern {pattern.GetRawText()} took too long to match");
            }

            if (!matched)
            {
                return Fail(errors, path, $"{Excerpt(value)} does not match pattern {pattern.GetRawText()}");
            }
        }

        if (schema.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String && !MatchesFormat(format.GetString()!, value))
        {
            return Fail(errors, path, $"{Excerpt(value)} is not a valid {format.GetString()}");
        }

        return true;
    }

    private static bool CheckNumber(JsonElement schema, JsonElement value, string path, List<string>? errors)
    {
        var number = value.GetDouble();
        if (TryGetNumber(schema, "minimum", out var minimum) && number < minimum)
        {
            return Fail(errors, path, $"{value.GetRawText()} is less than minimum {Format(minimum)}");
        }

        if (TryGetNumber(schema, "maximum", out var maximum) && number > maximum)
        {
            return Fail(errors, path, $"{value.GetRawText()} is greater than maximum {Format(maximum)}");
        }

        if (TryGetNumber(schema, "exclusiveMinimum", out var exclusiveMinimum) && number <= exclusiveMinimum)
        {
            return Fail(errors, path, $"{value.GetRawText()} is not greater than exclusiveMinimum {Format(exclusiveMinimum)}");
        }

        if (TryGetNumber(schema, "exclusiveMaximum", out var exclusiveMaximum) && number >= exclusiveMaximum)
        {
            return Fail(errors, path, $"{value.GetRawText()} is not less than exclusiveMaximum {Format(exclusiveMaximum)}");
        }

        if (schema.TryGetProperty("multipleOf", out var multipleOf) && multipleOf.ValueKind == JsonValueKind.Number && !IsMultiple(value, multipleOf))
        {
            return Fail(errors, path, $"{value.GetRawText()} is not a multiple of {multipleOf.GetRawText()}");
        }

        return true;
    }

    /// <summary>Decimal arithmetic where both fit (0.3 is a multiple of 0.1), else a tolerant double check.</summary>
    private static bool IsMultiple(JsonElement value, JsonElement divisor)
    {
        if (value.TryGetDecimal(out var v) && divisor.TryGetDecimal(out var d) && d != 0)
        {
            return v % d == 0;
        }

        var quotient = value.GetDouble() / divisor.GetDouble();
        return double.IsFinite(quotient) && Math.Abs(quotient - Math.Round(quotient)) < 1e-9;
    }

    private static bool MatchesType(JsonElement type, JsonElement value)
    {
        if (type.ValueKind == JsonValueKind.String)
        {
            return MatchesType(type.GetString()!, value);
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in type.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && MatchesType(name.GetString()!, value))
                {
                    return true;
                }
            }

            return false;
        }

        return true;
    }

    private static bool MatchesType(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && IsInteger(value),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    /// <summary>JSON Schema counts 1.0 as an integer: a number is one when it has no fractional part.</summary>
    private static bool IsInteger(JsonElement value) =>
        value.TryGetInt64(out _) || (value.TryGetDecimal(out var d) && d == decimal.Truncate(d))
        || (value.TryGetDouble(out var x) && double.IsFinite(x) && x == Math.Floor(x));

    private static string DescribeType(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => t.ToString()))
        : type.ToString();

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => IsInteger(value) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private bool TryResolve(string reference, out JsonElement target)
    {
        target = _root;
        if (reference is "#" or "")
        {
            return true;
        }

        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return false; // only references into this schema: nothing is fetched
        }

        foreach (var raw in reference[2..].Split('/'))
        {
            var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (target.ValueKind == JsonValueKind.Object && target.TryGetProperty(token, out var next))
            {
                target = next;
            }
            else if (target.ValueKind == JsonValueKind.Array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                     && index < target.GetArrayLength())
            {
                target = target[index];
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private Regex? Pattern(string pattern)
    {
        lock (_patternsLock)
        {
            if (!_patterns.TryGetValue(pattern, out var regex))
            {
                try
                {
                    // Interpreted (no RegexOptions.Compiled): AOT-safe, and schema patterns are short.
                    regex = new Regex(pattern, RegexOptions.CultureInvariant, PatternTimeout);
                }
                catch (ArgumentException)
                {
                    regex = null;
                }

                _patterns[pattern] = regex;
            }

            return regex;
        }
    }

    private static bool MatchesFormat(string format, string value) => format switch
    {
        "date-time" => DateTime().IsMatch(value)
            && DateTimeOffset.TryParse(value.ToUpperInvariant(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "date" => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "time" => Time().Match(value) is { Success: true } time
            && TimeOnly.TryParseExact(time.Groups[1].Value, "HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "duration" => Iso8601Duration().IsMatch(value) && value is not "P" and not "PT" && !value.EndsWith('T'),
        "email" => Email().IsMatch(value),
        "hostname" => value.Length <= 253 && Hostname().IsMatch(value),
        "ipv4" => Ipv4().IsMatch(value),
        "ipv6" => value.Contains(':', StringComparison.Ordinal) && IPAddress.TryParse(value, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        "uuid" => Guid.TryParseExact(value, "D", out _),
        _ => true, // unknown formats are annotations
    };

    private static int CodePoints(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static bool TryGetNumber(JsonElement schema, string name, out double number)
    {
        number = 0;
        return schema.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out number);
    }

    private static string MemberPath(string path, string name) =>
        SimpleName().IsMatch(name) ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    private static string Format(double number) => number.ToString("R", CultureInfo.InvariantCulture);

    private static string Excerpt(JsonElement value) => Excerpt(value.GetRawText(), quoted: true);

    private static string Excerpt(string text, bool quoted = false)
    {
        var shown = text.Length > 60 ? text[..57] + "..." : text;
        return quoted ? shown : "'" + shown + "'";
    }

    private static bool Fail(List<string>? errors, string path, string message)
    {
        errors?.Add($"{path}: {message}");
        return false;
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SimpleName();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTime();

    [GeneratedRegex(@"^(\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?$")]
    private static partial Regex Time();

    [GeneratedRegex(@"^P(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?(?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$")]
    private static partial Regex Iso8601Duration();

    [GeneratedRegex(@"^[^@\s""(),:;<>\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    private static partial Regex Email();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex Hostname();

    [GeneratedRegex(@"^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$")]
    private static partial Regex Ipv4();
}
