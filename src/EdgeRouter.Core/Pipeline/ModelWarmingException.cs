namespace EdgeRouter.Pipeline;

/// <summary>
/// A configured in-process model (or a service built on one, such as the semantic cache) is still loading. Thrown by
/// <see cref="ILocalModels"/> and by stage factories while the gateway serves before its models are ready; a stage
/// whose factory throws it is replaced by a <see cref="WarmingStage"/> until the models are loaded.
/// </summary>
public sealed class ModelWarmingException(string model)
    : Exception($"The in-process model '{model}' is still loading.")
{
    /// <summary>The model (or service) being loaded.</summary>
    public string Model { get; } = model;
}
