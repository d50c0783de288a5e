using System.Buffers;
using System.Text;
using System.Text.Json;

namespace EdgeRouter.Pipeline.Routing;

/// <summary>
/// Renders a <see cref="RoutingState"/> as one line of compact JSON: what the <c>x-edgerouter-decision</c> header and
/// the decision log carry to explain a single decision. Non-ASCII characters are escaped, so the text is a valid
/// header value.
/// </summary>
public static class DecisionJson
{
    /// <summary>Renders <paramref name="state"/>; <paramref name="costUsd"/> and <paramref name="latencyMs"/> are added when known.</summary>
    public static string Render(RoutingState state, decimal? costUsd = null, double? latencyMs = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (state.Chosen is { } chosen)
            {
                json.WriteString("model"u8, chosen.Id);
                json.WriteString("by"u8, state.ChosenBy);
                json.WriteNumber("confidence"u8, Round(state.Confidence));
            }

            if (state.Pinned)
            {
                json.WriteBoolean("pinned"u8, true);
            }

            if (state.Strategy is { } strategy)
            {
                json.WriteString("strategy"u8, strategy);
            }

            json.WriteStartArray("routers"u8);
            foreach (var vote in state.Votes)
            {
                json.WriteStartObject();
                json.WriteString("name"u8, vote.Router);
                json.WriteStartObject("p"u8);
                for (var i = 0; i < vote.Distribution.Length && i < state.Models.Count; i++)
                {
                    json.WriteNumber(state.Models[i].Id, Round(vote.Distribution[i]));
                }

                json.WriteEndObject();
                json.WriteString("pick"u8, vote.Choice >= 0 && vote.Choice < state.Models.Count ? state.Models[vote.Choice].Id : null);
                if (vote.Weights is { } weights)
                {
                    json.WriteStartObject("weights"u8);
                    foreach (var (name, weight) in weights)
                    {
                        json.WriteNumber(name, Round(weight));
                    }

                    json.WriteEndObject();
                }

                json.WriteString("why"u8, vote.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            var verdicts = state.Verdicts;
            if (verdicts.Count > 0)
            {
                json.WriteStartArray("verdicts"u8);
                foreach (var verdict in verdicts)
                {
                    json.WriteStartObject();
                    json.WriteString("verifier"u8, verdict.Verifier);
                    json.WriteString("model"u8, verdict.Model);
                    json.WriteBoolean("pass"u8, verdict.Passed);
                    json.WriteString("why"u8, verdict.Reason);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            if (state.Escalations.Count > 0)
            {
                json.WriteStartArray("escalations"u8);
                foreach (var escalation in state.Escalations)
                {
                    json.WriteStringValue(escalation);
                }

                json.WriteEndArray();
            }

            if (state.ExtraCostUsd != 0m)
            {
                json.WriteNumber("extraCostUsd"u8, state.ExtraCostUsd);
            }

            if (costUsd is { } cost)
            {
                json.WriteNumber("costUsd"u8, cost);
            }

            if (latencyMs is { } latency)
            {
                json.WriteNumber("latencyMs"u8, Math.Round(latency, 3));
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static double Round(float value) => Math.Round(value, 4);
}
