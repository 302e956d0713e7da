package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.ProxyConfig;

import java.util.function.Function;

/**
 * Applies a reload plan: compiles the plan's configuration into one immutable {@link ClusterSnapshot} and
 * publishes it, whole, through the target's one reference per cluster. Compiling comes first, so that a
 * configuration whose rules do not compile publishes nothing and the running snapshot stays.
 *
 * <p>Stateless; called by the one reload thread.
 */
final class ReloadApplier
{
    private final Function<ProxyConfig, ClusterSnapshot> compiler;

    /**
     * Creates the step.
     *
     * @param compiler compiles a configuration's snapshot ({@link ClusterSnapshot#compile}), throwing
     *                 {@link IllegalArgumentException} for a rule it cannot compile.
     */
    ReloadApplier(final Function<ProxyConfig, ClusterSnapshot> compiler)
    {
        this.compiler = compiler;
    }

    /**
     * Applies a plan.
     *
     * @param plan   the plan.
     * @param target the running proxy.
     * @return the plan applied, or why nothing was.
     */
    StepResult<ReloadPlan> apply(final ReloadPlan plan, final ReloadTarget target)
    {
        final ClusterSnapshot snapshot;
        try
        {
            snapshot = compiler.apply(plan.config());
        }
        catch (final IllegalArgumentException e)
        {
            return new StepResult.Failed<>(e.getMessage());
        }
        try
        {
            // The target compiles the other clusters' snapshots, all before it publishes any.
            target.publish(plan.config(), snapshot);
        }
        catch (final IllegalArgumentException e)
        {
            return new StepResult.Failed<>(e.getMessage());
        }
        return new StepResult.Done<>(plan);
    }
}
