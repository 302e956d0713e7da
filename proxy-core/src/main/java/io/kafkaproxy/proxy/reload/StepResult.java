package io.kafkaproxy.proxy.reload;

/**
 * What one reload step (read, plan, apply) produced: a value for the next step, or why the reload stops here.
 * Steps return this rather than throw, so that a refused reload is an ordinary outcome that keeps the running
 * configuration.
 *
 * @param <T> the value a successful step produces.
 */
public sealed interface StepResult<T> permits StepResult.Done, StepResult.Failed
{
    /**
     * The step succeeded.
     *
     * @param value what it produced.
     * @param <T>   its type.
     */
    record Done<T>(T value) implements StepResult<T>
    {
    }

    /**
     * The step refused the reload.
     *
     * @param error why, naming the YAML path at fault when there is one.
     * @param <T>   the type a success would have produced.
     */
    record Failed<T>(String error) implements StepResult<T>
    {
    }
}
