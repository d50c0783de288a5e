namespace EdgeRouter.Simulator;

/// <summary>
/// The part of every model endpoint that is not about the answer itself: counting, picking and applying the fault,
/// turning a vanished client into a cancellation, and recording the exchange.
/// </summary>
internal static class FaultRunner
{
    /// <summary>
    /// Answers a request to <paramref name="model"/>: sends <paramref name="invalid"/> if set, else applies the next
    /// fault and, unless it answers for itself, calls <paramref name="answer"/> (which handles drops).
    /// </summary>
    public static async Task RunAsync<TRequest>(
        SimExchange exchange, SimulatorState state, ModelState model, SimError? invalid, TRequest request,
        Func<SimExchange, TRequest, SimulatedFault, double, Task> answer)
    {
        var canceled = false;
        try
        {
            if (invalid is not null)
            {
                await exchange.SendErrorAsync(invalid);
            }
            else
            {
                var fault = state.NextFault(model, out var jitterMs);
                if (fault.Kind != SimulatedFaultKind.None)
                {
                    model.CountFault();
                }

                switch (fault.Kind)
                {
                    case SimulatedFaultKind.Error:
                        await exchange.SendErrorAsync(new SimError(fault.Status, "simulated upstream error", "server_error", null, null));
                        break;
                    case SimulatedFaultKind.RateLimit:
                        await exchange.SendRateLimitAsync(fault.RetryAfterSeconds);
                        break;
                    case SimulatedFaultKind.Stall:
                        await exchange.DelayAsync(fault.StallMs);
                        await answer(exchange, request, fault, jitterMs);
                        break;
                    default:
                        await answer(exchange, request, fault, jitterMs);
                        break;
                }
            }

            if (!exchange.Dropped)
            {
                model.CountCompleted();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away or the server is stopping; abort so a half-sent stream cannot look complete.
            canceled = true;
            model.CountCanceled();
            exchange.Context.Abort();
        }

        // Recorded before a drop takes effect, so a client that sees the reset also sees the recording.
        model.Record(exchange.ToRecord(canceled));
        exchange.AbortIfDropped();
    }
}
