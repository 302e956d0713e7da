package io.kafkaproxy.proxy.reload;

import java.util.List;

/**
 * The sections two configurations differ in, by YAML path.
 *
 * @param live        the changed paths a running proxy can apply without a restart.
 * @param restartOnly the changed paths that apply only after a restart.
 */
record ConfigChanges(List<String> live, List<String> restartOnly)
{
    /**
     * Freezes the lists.
     */
    public ConfigChanges
    {
        live = List.copyOf(live);
        restartOnly = List.copyOf(restartOnly);
    }
}
