package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.config.ProxyConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Names every section that differs between the running configuration and a new one, and tells the sections a
 * running proxy applies live from those that need a restart (listener addresses, thread count, memory pool, admin
 * listener, audit ring).
 *
 * <p>Stateless.
 */
final class ConfigChangeDetector
{
    private ConfigChangeDetector()
    {
    }

    /**
     * Compares two configurations.
     *
     * @param running the configuration the proxy runs with.
     * @param next    the new configuration.
     * @return the changed paths, live and restart-only, each in the file's order.
     */
    public static ConfigChanges detect(final ProxyConfig running, final ProxyConfig next)
    {
        return new ConfigChanges(liveChanges(running, next), restartOnlyChanges(running, next));
    }

    private static List<String> restartOnlyChanges(final ProxyConfig running, final ProxyConfig next)
    {
        final List<String> changed = new ArrayList<>();
        // listener.sasl applies live (new connections read it from the snapshot); the rest of the section needs a restart.
        changedIf(changed, "listener", running.listener(), next.listener().withSasl(running.listener().sasl()));
        changedIf(changed, "network.ioThreads", running.network().ioThreads(), next.network().ioThreads());
        changedIf(changed, "memory", running.memory(), next.memory());
        changedIf(changed, "admin", running.admin(), next.admin());
        changedIf(changed, "audit.ringSizeBytes", running.audit().ringSizeBytes(), next.audit().ringSizeBytes());
        return changed;
    }

    private static List<String> liveChanges(final ProxyConfig running, final ProxyConfig next)
    {
        final List<String> changed = new ArrayList<>();
        changedIf(changed, "listener.sasl", running.listener().sasl(), next.listener().sasl());
        changedIf(changed, "upstream.bootstrapServers", running.upstream().bootstrapServers(), next.upstream().bootstrapServers());
        changedIf(changed, "upstream.connectTimeout", running.upstream().connectTimeout(), next.upstream().connectTimeout());
        changedIf(changed, "network.maxRequestSizeBytes", running.network().maxRequestSizeBytes(), next.network().maxRequestSizeBytes());
        changedIf(changed, "network.maxResponseSizeBytes", running.network().maxResponseSizeBytes(), next.network().maxResponseSizeBytes());
        changedIf(changed, "network.idleTimeout", running.network().idleTimeout(), next.network().idleTimeout());
        changedIf(changed, "logging", running.logging(), next.logging());
        changedIf(changed, "shutdown.drainTimeout", running.shutdown().drainTimeout(), next.shutdown().drainTimeout());
        changedIf(changed, "acl", running.acl(), next.acl());
        // The ring's size is restart-only; the audit section's other settings apply live.
        changedIf(changed, "audit", running.audit(), next.audit().withRingSizeBytes(running.audit().ringSizeBytes()));
        changedIf(changed, "quotas", running.quotas(), next.quotas());
        changedIf(changed, "circuitBreaker", running.circuitBreaker(), next.circuitBreaker());
        return changed;
    }

    private static void changedIf(final List<String> changed, final String path, final Object before, final Object after)
    {
        if (!Objects.equals(before, after))
        {
            changed.add(path);
        }
    }
}
