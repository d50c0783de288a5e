using System.Text.Json;

namespace EdgeRouter.Simulator;

/// <summary>The per-request part of a single-pass parser run by <see cref="SimJson.ReadObject{TReader}"/>.</summary>
internal interface IJsonPropertyReader
{
    /// <summary>
    /// Reads one property of the top-level object. <paramref name="reader"/> is on its
    /// <see cref="JsonTokenType.PropertyName"/> and must be left on the last token of its value.
    /// Returns what is wrong with the property, or null.
    /// </summary>
    SimError? ReadProperty(ref Utf8JsonReader reader);
}

/// <summary>The envelope the simulator's request parsers share: one JSON object read in one pass, without a DOM.</summary>
internal static class SimJson
{
    /// <summary>The answer to a body that is not a JSON object, unless the parser words its own.</summary>
    public const string NotAnObject = "The request body must be a JSON object.";

    // Request bodies are shallow; the limit only bounds how much nesting a hostile body can make the reader track.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>
    /// Reads <paramref name="body"/> as one JSON object, handing each property to <paramref name="properties"/>.
    /// <typeparamref name="TReader"/> is a struct so the calls are bound at compile time and nothing is allocated for them.
    /// </summary>
    /// <param name="body">The request body.</param>
    /// <param name="properties">The parse state; it keeps what it read even when an error is returned.</param>
    /// <param name="problem">The first problem a property reported; the rest of the body is still read.</param>
    /// <param name="notAnObject">The message when the body is not an object.</param>
    /// <param name="emptyBody">The detail of the invalid-JSON error for an empty body; null answers it with <paramref name="notAnObject"/>.</param>
    /// <param name="stopAtFirstProblem">Return the first problem at once, as the result, instead of reading on.</param>
    /// <returns>The error that ends the request at once (the body is not one well-formed JSON object), or null.</returns>
    public static SimError? ReadObject<TReader>(
        ReadOnlySpan<byte> body,
        ref TReader properties,
        out SimError? problem,
        string notAnObject = NotAnObject,
        string? emptyBody = "the body is empty",
        bool stopAtFirstProblem = false)
        where TReader : struct, IJsonPropertyReader, allows ref struct
    {
        problem = null;
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            if (!reader.Read())
            {
                return emptyBody is null ? SimError.Invalid(notAnObject, code: "invalid_json") : SimError.InvalidJson(emptyBody);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return SimError.Invalid(notAnObject, code: "invalid_json");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var error = properties.ReadProperty(ref reader);
                if (stopAtFirstProblem && error is not null)
                {
                    // The reader may be left inside the value, so nothing after it can be read.
                    return error;
                }

                problem ??= error;
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return SimError.InvalidJson("unexpected data after the top-level object");
            }
        }
        catch (JsonException ex)
        {
            return SimError.InvalidJson(ex);
        }
        catch (InvalidOperationException)
        {
            // GetString or CopyString on malformed UTF-8 or escapes.
            return SimError.InvalidJson("a string is not valid UTF-8 or has a bad escape sequence");
        }

        return null;
    }
}
