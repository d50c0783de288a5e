using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Routing.Routers;

/// <summary>Validation and resolution shared by router settings.</summary>
internal static class RouterSettings
{
    /// <summary>Requires a classifier configured under <c>inference.classifiers</c>.</summary>
    public static void RequireClassifier(string name, string path, StageBindingContext context)
    {
        var classifiers = context.Config.Inference?.Classifiers;
        if (classifiers is null || !classifiers.ContainsKey(name))
        {
            var known = classifiers?.Keys.ToList() ?? [];
            context.Errors.Add(path, $"'{name}' is not a classifier under inference.classifiers"
                + (known.Count == 0 ? " (none is configured)" : $"; configured: {string.Join(", ", known)}"));
        }
    }

    /// <summary>Requires an encoder configured under <c>inference.encoders</c>.</summary>
    public static void RequireEncoder(string name, string path, StageBindingContext context)
    {
        if (context.Config.Inference?.Encoders.ContainsKey(name) != true)
        {
            context.Errors.Add(path, $"'{name}' is not an encoder under inference.encoders");
        }
    }

    /// <summary>Requires the route to list at least <paramref name="minimum"/> models for a router to choose among.</summary>
    public static bool RequireRouteModels(StageBindingContext context, string path, int minimum) =>
        context.Errors.Require(context.Models.Count >= minimum, path,
            $"needs the route's 'models' to list at least {minimum} models (weakest first) to choose among, got {context.Models.Count}");

    /// <summary>Requires <paramref name="id"/>, when given, to be one of the route's models.</summary>
    public static bool RequireRouteModel(string? id, string path, StageBindingContext context)
    {
        if (id is null)
        {
            return true;
        }

        if (!ConfigValidator.RequireChatModel(id, path, context.Catalog, context.Errors))
        {
            return false;
        }

        context.Catalog.TryResolve(id, out var target);
        return context.Errors.Require(context.Models.Contains(target!), path,
            $"'{target!.Id}' is not among the route's models ({string.Join(", ", context.Models.Select(m => m.Id))})");
    }

    /// <summary>The route models of the stage being built.</summary>
    public static IReadOnlyList<ModelTarget> RouteModelsOf(StageServices services) => services.RouteModels;

    /// <summary>Index of a validated model id among <paramref name="models"/>.</summary>
    public static int IndexOf(IReadOnlyList<ModelTarget> models, string id, StageServices services)
    {
        if (services.Catalog.TryResolve(id, out var target))
        {
            for (var i = 0; i < models.Count; i++)
            {
                if (models[i].Id == target.Id)
                {
                    return i;
                }
            }
        }

        throw new InvalidOperationException($"'{id}' was validated as a route model but is not among them.");
    }

    /// <summary>The loaded classifier and the encoder it reads; throws with a clear message when either is missing.</summary>
    public static (ITextClassifier Classifier, ITextEncoder Encoder) ResolveClassifier(string name, StageServices services)
    {
        if (!services.Models.TryGetClassifier(name, out var classifier))
        {
            throw new InvalidOperationException($"Classifier '{name}' is not loaded.");
        }

        if (!services.Models.TryGetEncoder(classifier.Encoder, out var encoder))
        {
            throw new InvalidOperationException($"Encoder '{classifier.Encoder}' of classifier '{name}' is not loaded.");
        }

        return (classifier, encoder);
    }

    /// <summary>The loaded encoder; throws with a clear message when missing.</summary>
    public static ITextEncoder ResolveEncoder(string name, StageServices services) =>
        services.Models.TryGetEncoder(name, out var encoder) ? encoder : throw new InvalidOperationException($"Encoder '{name}' is not loaded.");
}
