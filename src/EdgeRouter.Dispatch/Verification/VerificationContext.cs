using System.Text;
using System.Text.Json;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// What verifiers see of one request: the request itself, the completer and providers for extra upstream calls,
/// and lazily read parts of the request (the last user message, the <c>response_format</c> schema). One instance
/// per request; thread-safe, since the answers of a race are verified concurrently.
/// </summary>
public sealed class VerificationContext
{
    private readonly Lock _gate = new();
    private int _attempts;
    private string? _lastUserText;
    private bool _schemaRead;
    private JsonSchemaValidator? _schema;
    private string? _schemaName;

    /// <summary>Creates the context for <paramref name="request"/>.</summary>
    public VerificationContext(RequestContext request, UpstreamCompleter completer, ProviderPool providers)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(completer);
        ArgumentNullException.ThrowIfNull(providers);
        Request = request;
        Completer = completer;
        Providers = providers;
    }

    /// <summary>The request whose answers are verified.</summary>
    public RequestContext Request { get; }

    /// <summary>Makes buffered upstream calls.</summary>
    public UpstreamCompleter Completer { get; }

    /// <summary>The providers of the request's snapshot.</summary>
    public ProviderPool Providers { get; }

    /// <summary>Upstream attempts made through <see cref="CompleteAsync"/> so far.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>The text of the client's last user message (string content, or its text parts joined by newlines); empty when none.</summary>
    public string LastUserText
    {
        get
        {
            lock (_gate)
            {
                return _lastUserText ??= ReadText(Request.Request.Body, Request.Request.LastUserContent);
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="model"/> with <paramref name="chat"/> (the client's request or one the verifier built) as
    /// a buffered call, counting its attempts. The caller accounts its cost.
    /// </summary>
    public async Task<Completion> CompleteAsync(ChatRequest chat, ModelTarget model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var completion = await Completer.CompleteAsync(new CompletionRequest
        {
            RequestId = Request.RequestId,
            Chat = chat,
            Providers = Providers,
            ClientHeaders = ReferenceEquals(chat, Request.Request) ? Request.Headers : null,
        }, model, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _attempts, completion.Attempts);
        return completion;
    }

    /// <summary>
    /// The validator for <c>response_format.json_schema.schema</c>, or null when the request has none; the schema's
    /// <c>name</c> goes to <paramref name="name"/>.
    /// </summary>
    public JsonSchemaValidator? ResponseSchema(out string? name)
    {
        lock (_gate)
        {
            if (!_schemaRead)
            {
                _schemaRead = true;
                (_schema, _schemaName) = ReadSchema(Request.Request.Body);
            }

            name = _schemaName;
            return _schema;
        }
    }

    private static (JsonSchemaValidator?, string?) ReadSchema(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object
                && format.TryGetProperty("json_schema", out var jsonSchema) && jsonSchema.ValueKind == JsonValueKind.Object
                && jsonSchema.TryGetProperty("schema", out var schema))
            {
                var name = jsonSchema.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                return (new JsonSchemaValidator(schema), name);
            }
        }
        catch (JsonException)
        {
            // The parser accepted the body, so this does not happen; without a schema the answer is checked as JSON only.
        }

        return (null, null);
    }

    /// <summary>The text of a message <c>content</c> value: a string, or the <c>text</c> of its parts joined by newlines.</summary>
    internal static string ReadText(ReadOnlyMemory<byte> body, JsonRange content)
    {
        if (!content.IsPresent)
        {
            return "";
        }

        try
        {
            using var document = JsonDocument.Parse(body.Slice(content.Start, content.Length));
            var value = document.RootElement;
            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString()!;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                return "";
            }

            var text = new StringBuilder();
            foreach (var part in value.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    if (text.Length > 0)
                    {
                        text.Append('\n');
                    }

                    text.Append(t.GetString());
                }
            }

            return text.ToString();
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
