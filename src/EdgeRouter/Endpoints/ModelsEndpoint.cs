using System.Buffers;
using System.Text.Json;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Runtime;

namespace EdgeRouter.Endpoints;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: routes and concrete models as OpenAI model objects, each
/// with an <c>edgerouter</c> member describing it (kind, description, prices, context window, tags).
/// </summary>
internal sealed class ModelsEndpoint
{
    private readonly SnapshotHolder _snapshots;
    private readonly ILocalModels _localModels;
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public ModelsEndpoint(SnapshotHolder snapshots, ILocalModels localModels)
    {
        _snapshots = snapshots;
        _localModels = localModels;
    }

    public async Task ListAsync(HttpContext http)
    {
        RequestIds.Assign(http);
        var snapshot = _snapshots.Current;
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list");
            writer.WriteStartArray("data"u8);
            foreach (var route in snapshot.Routes)
            {
                WriteRoute(writer, route);
            }

            foreach (var model in snapshot.Catalog.All)
            {
                WriteModel(writer, model);
            }

            foreach (var name in _localModels.EncoderNames.Order(StringComparer.Ordinal))
            {
                WriteLocalEncoder(writer, name);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await WriteJsonAsync(http, buffer.WrittenMemory);
    }

    public async Task GetAsync(HttpContext http)
    {
        RequestIds.Assign(http);
        var id = (string)http.Request.RouteValues["id"]!;
        var snapshot = _snapshots.Current;
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var route = snapshot.Routes.FirstOrDefault(r => r.Name == id);
            if (route is not null)
            {
                WriteRoute(writer, route);
            }
            else if (snapshot.Catalog.TryResolve(id, out var model))
            {
                WriteModel(writer, model);
            }
            else if (id.StartsWith(LocalEmbeddings.ModelId(""), StringComparison.Ordinal) && _localModels.EncoderNames.Contains(id[LocalEmbeddings.ModelId("").Length..]))
            {
                WriteLocalEncoder(writer, id[LocalEmbeddings.ModelId("").Length..]);
            }
            else
            {
                await ErrorWriter.WriteAsync(http, 404, $"The model '{id}' does not exist.", "model", "model_not_found");
                return;
            }
        }

        await WriteJsonAsync(http, buffer.WrittenMemory);
    }

    private void WriteRoute(Utf8JsonWriter writer, RouteRuntime route)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, route.Name);
        writer.WriteString("object"u8, "model");
        writer.WriteNumber("created"u8, _created);
        writer.WriteString("owned_by"u8, "edgerouter");
        writer.WriteStartObject("edgerouter"u8);
        writer.WriteString("kind"u8, "route");
        if (route.Description is not null)
        {
            writer.WriteString("description"u8, route.Description);
        }

        writer.WriteStartArray("stages"u8);
        foreach (var stage in route.Stages)
        {
            writer.WriteStringValue(stage.Kind);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private void WriteModel(Utf8JsonWriter writer, ModelTarget model)
    {
        var config = model.Model;
        writer.WriteStartObject();
        writer.WriteString("id"u8, model.Id);
        writer.WriteString("object"u8, "model");
        writer.WriteNumber("created"u8, _created);
        writer.WriteString("owned_by"u8, model.Provider);
        writer.WriteStartObject("edgerouter"u8);
        writer.WriteString("kind"u8, config.Kind);
        writer.WriteString("provider"u8, model.Provider);
        writer.WriteString("upstream_model"u8, model.UpstreamName);
        writer.WriteNumber("input_price_per_million"u8, config.InputPricePerMillion);
        writer.WriteNumber("output_price_per_million"u8, config.OutputPricePerMillion);
        writer.WriteNumber("context_window"u8, config.ContextWindow);
        writer.WriteStartArray("tags"u8);
        foreach (var tag in config.Tags)
        {
            writer.WriteStringValue(tag);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private void WriteLocalEncoder(Utf8JsonWriter writer, string name)
    {
        ITextEncoder? encoder;
        try
        {
            _localModels.TryGetEncoder(name, out encoder);
        }
        catch (ModelWarmingException)
        {
            encoder = null; // listed while it loads, without the figures only the loaded model knows
        }

        writer.WriteStartObject();
        writer.WriteString("id"u8, LocalEmbeddings.ModelId(name));
        writer.WriteString("object"u8, "model");
        writer.WriteNumber("created"u8, _created);
        writer.WriteString("owned_by"u8, "edgerouter");
        writer.WriteStartObject("edgerouter"u8);
        writer.WriteString("kind"u8, "embedding");
        writer.WriteString("provider"u8, "local");
        if (encoder is null)
        {
            writer.WriteString("status"u8, "loading");
        }
        else
        {
            writer.WriteString("status"u8, "loaded");
            writer.WriteNumber("dimensions"u8, encoder.Dimensions);
            writer.WriteNumber("max_tokens"u8, encoder.MaxTokens);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static async Task WriteJsonAsync(HttpContext http, ReadOnlyMemory<byte> json)
    {
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = json.Length;
        await http.Response.Body.WriteAsync(json, http.RequestAborted);
    }
}
