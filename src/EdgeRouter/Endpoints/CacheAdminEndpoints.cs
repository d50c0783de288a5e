using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeRouter.Cache;

namespace EdgeRouter.Endpoints;

/// <summary>
/// The cache admin API: <c>POST /v1/cache/invalidate</c> with one of <c>{"id"}</c>, <c>{"tag"}</c>,
/// <c>{"tenant"}</c> (optionally with <c>"route"</c>), <c>{"route"}</c> or <c>{"all": true}</c>, and
/// <c>GET /v1/cache/stats</c>. Both need <c>Authorization: Bearer</c> with the token from <c>cache.adminTokenEnv</c>;
/// without that setting the API answers 403.
/// </summary>
internal sealed class CacheAdminEndpoints
{
    private readonly Func<SemanticCache?> _cache;
    private readonly byte[]? _token;

    /// <param name="cache">The running cache; null while it opens after its encoder loads (answered 503, retry).</param>
    /// <param name="token">The admin token, if one is required.</param>
    public CacheAdminEndpoints(Func<SemanticCache?> cache, string? token)
    {
        _cache = cache;
        _token = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes(token);
    }

    public async Task InvalidateAsync(HttpContext http)
    {
        RequestIds.Assign(http);
        if (!await AuthorizeAsync(http))
        {
            return;
        }

        var body = await RequestBody.AcceptJsonPostAsync(http, 64 * 1024);
        if (body is null)
        {
            return;
        }

        CacheSelector? selector;
        using (body)
        {
            selector = ParseSelector(body.WrittenMemory, out var error);
            if (selector is null)
            {
                await ErrorWriter.WriteAsync(http, 400, error!, null, "invalid_selector");
                return;
            }
        }

        if (await OpenCacheAsync(http) is not { } cache)
        {
            return;
        }

        var removed = cache.Invalidate(selector);
        await WriteAsync(http, writer => writer.WriteNumber("removed"u8, removed));
    }

    public async Task StatsAsync(HttpContext http)
    {
        RequestIds.Assign(http);
        if (!HttpMethods.IsGet(http.Request.Method))
        {
            await ErrorWriter.MethodNotAllowedAsync(http, "GET");
            return;
        }

        if (!await AuthorizeAsync(http))
        {
            return;
        }

        if (await OpenCacheAsync(http) is not { } cache)
        {
            return;
        }

        var stats = cache.Stats;
        await WriteAsync(http, writer =>
        {
            writer.WriteNumber("entries"u8, stats.Entries);
            writer.WriteNumber("hits"u8, stats.Hits);
            writer.WriteNumber("semantic_hits"u8, stats.SemanticHits);
            writer.WriteNumber("misses"u8, stats.Misses);
            writer.WriteNumber("guard_rejections"u8, stats.GuardRejections);
            writer.WriteNumber("evictions"u8, stats.Evictions);
            writer.WriteNumber("expirations"u8, stats.Expirations);
            writer.WriteString("store"u8, cache.Store.Description);
        });
    }

    /// <summary>The cache, or a 503 asking to retry while it opens (its encoder still loading); an invalidation must not be lost.</summary>
    private async Task<SemanticCache?> OpenCacheAsync(HttpContext http)
    {
        if (_cache() is { } cache)
        {
            return cache;
        }

        await ErrorWriter.WriteAsync(http, 503, "The semantic cache is opening (its encoder is still loading); retry shortly.", null,
            "cache_starting", TimeSpan.FromSeconds(1));
        return null;
    }

    private async Task<bool> AuthorizeAsync(HttpContext http)
    {
        if (_token is null)
        {
            await ErrorWriter.WriteAsync(http, 403, "The cache admin API is disabled: set cache.adminTokenEnv to enable it.", null, "admin_disabled");
            return false;
        }

        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(header[7..]) : [];
        if (!CryptographicOperations.FixedTimeEquals(presented, _token))
        {
            await ErrorWriter.WriteAsync(http, 401, "Missing or wrong admin token.", null, "invalid_admin_token");
            return false;
        }

        return true;
    }

    private static CacheSelector? ParseSelector(ReadOnlyMemory<byte> body, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "The body must be a JSON object.";
                return null;
            }

            string? Text(string name) =>
                root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            var id = Text("id");
            Guid? parsedId = null;
            if (id is not null)
            {
                if (!Guid.TryParse(id, out var guid))
                {
                    error = $"'{id}' is not an entry id.";
                    return null;
                }

                parsedId = guid;
            }

            var selector = new CacheSelector
            {
                Id = parsedId,
                Tag = Text("tag"),
                Tenant = Text("tenant"),
                Route = Text("route"),
                All = root.TryGetProperty("all", out var all) && all.ValueKind == JsonValueKind.True,
            };
            var criteria = (selector.Id is null ? 0 : 1) + (selector.Tag is null ? 0 : 1) + (selector.All ? 1 : 0)
                + (selector.Tenant is not null || selector.Route is not null ? 1 : 0);
            if (criteria != 1)
            {
                error = "Give exactly one of id, tag, tenant (with an optional route), route, or all: true.";
                return null;
            }

            return selector;
        }
        catch (JsonException ex)
        {
            error = $"The body is not valid JSON: {ex.Message}";
            return null;
        }
    }

    private static async Task WriteAsync(HttpContext http, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
    }
}
