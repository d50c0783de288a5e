using System.Text.Json;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;
using EdgeRouter.Runtime;

namespace EdgeRouter.Endpoints;

/// <summary>
/// <c>POST /v1/embeddings</c>: answered in-process for a local encoder (<c>local/&lt;name&gt;</c>), otherwise validated
/// and forwarded to the provider of the named embedding model.
/// </summary>
internal sealed class EmbeddingsEndpoint
{
    private readonly SnapshotHolder _snapshots;
    private readonly ChatDispatcher _dispatcher;
    private readonly LocalEmbeddings _local;

    public EmbeddingsEndpoint(SnapshotHolder snapshots, ChatDispatcher dispatcher, ILocalModels models)
    {
        _snapshots = snapshots;
        _dispatcher = dispatcher;
        _local = new LocalEmbeddings(models);
    }

    public async Task HandleAsync(HttpContext http)
    {
        var timing = new ExchangeTiming();
        var requestId = RequestIds.Assign(http);
        var snapshot = _snapshots.Current;
        var body = await RequestBody.AcceptJsonPostAsync(http, snapshot.Config.Server.MaxRequestBodyBytes);
        if (body is null)
        {
            return;
        }

        using (body)
        {
            var (model, modelValue, error) = Parse(body.WrittenSpan);
            if (error is not null)
            {
                await ErrorWriter.WriteAsync(http, error);
                return;
            }

            ITextEncoder? encoder;
            try
            {
                _local.TryGetEncoder(model!, out encoder);
            }
            catch (ModelWarmingException)
            {
                await ErrorWriter.WriteAsync(http, 503, $"The model '{model}' is still loading; retry shortly.", "model", "model_loading",
                    TimeSpan.FromSeconds(1));
                return;
            }

            if (encoder is not null)
            {
                await _local.AnswerAsync(http, encoder, body.WrittenMemory);
                return;
            }

            if (!snapshot.Catalog.TryResolve(model!, out var target) || target.Model.Kind != ModelKinds.Embedding)
            {
                await ErrorWriter.WriteAsync(http, 404,
                    $"The model '{model}' is not a configured embedding model (see GET /v1/models).", "model", "model_not_found");
                return;
            }

            var request = new DispatchRequest
            {
                RequestId = requestId,
                Api = UpstreamApi.Embeddings,
                Body = body.WrittenMemory,
                ModelValue = modelValue,
                ClientHeaders = http.Request.Headers,
                Timing = timing,
            };
            var result = await _dispatcher.DispatchAsync(request, [target], snapshot.Providers, http, http.RequestAborted);
            if (!result.Committed && result.Outcome != UpstreamOutcome.Canceled)
            {
                await ErrorWriter.WriteAsync(http, result.StatusCode, result.Detail ?? "No upstream could answer.", null,
                    "upstream_" + result.Outcome.ToLabel(), result.RetryAfter);
            }
        }
    }

    /// <summary>Checks <c>model</c> (string) and <c>input</c> (string, or array of strings or token arrays).</summary>
    private static (string? Model, JsonRange ModelValue, RequestError? Error) Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, JsonRange.None, new RequestError(400, "The request body must be a JSON object.", null, "invalid_json"));
            }

            string? model = null;
            var modelValue = JsonRange.None;
            var hasInput = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return (null, JsonRange.None, RequestError.InvalidType("model", "a string", ChatRequestParser.Describe(reader.TokenType)));
                    }

                    model = reader.GetString();
                    modelValue = new JsonRange((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
                }
                else if (reader.ValueTextEquals("input"u8))
                {
                    reader.Read();
                    if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.StartArray))
                    {
                        return (null, JsonRange.None, RequestError.InvalidType("input", "a string or an array", ChatRequestParser.Describe(reader.TokenType)));
                    }

                    reader.Skip();
                    hasInput = true;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.Read())
            {
                return (null, JsonRange.None, new RequestError(400, "Unexpected data after the top-level object.", null, "invalid_json"));
            }

            if (string.IsNullOrEmpty(model))
            {
                return (null, JsonRange.None, RequestError.Missing("model"));
            }

            return hasInput ? (model, modelValue, null) : (null, JsonRange.None, RequestError.Missing("input"));
        }
        catch (JsonException ex)
        {
            return (null, JsonRange.None, new RequestError(400, $"We could not parse the JSON body of your request: {ex.Message}", null, "invalid_json"));
        }
        catch (InvalidOperationException)
        {
            return (null, JsonRange.None, new RequestError(400, "The request body contains an invalid string.", null, "invalid_json"));
        }
    }
}
