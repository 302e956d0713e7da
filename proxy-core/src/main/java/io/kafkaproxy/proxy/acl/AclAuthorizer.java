package io.kafkaproxy.proxy.acl;

import io.kafkaproxy.proxy.config.AclEffect;
import io.kafkaproxy.proxy.config.AclConfig;
import io.kafkaproxy.proxy.config.AclRuleConfig;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code acl} section compiled for deciding: each rule's names encoded once, its operations as a bit mask with
 * Kafka's implications applied. Hands each connection a {@link ClientAcl} holding only the rules that apply to it.
 *
 * <p>Immutable. Compiled off the event loops, at start and at each reload, and published to them through one
 * volatile reference; a connection asks it for a {@link ClientAcl} when it starts, when its principal changes, and
 * when it sees a new authorizer.
 */
public final class AclAuthorizer
{
    private final boolean defaultAllow;
    private final CompiledAclRule[] rules;
    private final boolean allowAll;
    /** The view of a client no rule applies to, shared: the common case under a short list of rules. */
    private final ClientAcl noRuleApplies;

    private AclAuthorizer(final AclConfig config)
    {
        defaultAllow = config.defaultPolicy() == AclEffect.ALLOW;
        final List<CompiledAclRule> compiled = new ArrayList<>(config.rules().size());
        boolean anyDeny = false;
        for (final AclRuleConfig rule : config.rules())
        {
            compiled.add(CompiledAclRule.compile(rule));
            anyDeny |= rule.effect() == AclEffect.DENY;
        }
        rules = compiled.toArray(new CompiledAclRule[0]);
        allowAll = defaultAllow && !anyDeny;
        noRuleApplies = ClientAcl.of(defaultAllow, List.of());
    }

    /**
     * Compiles a configuration section.
     *
     * @param config the {@code acl} section.
     * @return the authorizer.
     */
    public static AclAuthorizer compile(final AclConfig config)
    {
        return new AclAuthorizer(config);
    }

    /**
     * Whether nothing can ever be denied: the default is allow and no rule denies (allow rules then change
     * nothing; the case of a file without an {@code acl} section). The proxy can skip every check.
     *
     * @return whether every client may do everything.
     */
    public boolean isAllowAll()
    {
        return allowAll;
    }

    /**
     * The view of the ACL for one client. Looks at every rule and may allocate: call it when a connection starts,
     * when its principal changes, or when this authorizer replaces the one it used; never per request.
     *
     * @param principal     the client's principal name ({@link AclPrincipal#name()}): its SASL username once it
     *                      has authenticated, else its client id, empty if it sent none.
     * @param clientAddress the client's address; null if unknown, when rules limited to hosts do not apply.
     * @return the client's view.
     * @throws NullPointerException if the principal is null.
     */
    public ClientAcl forClient(final String principal, final InetAddress clientAddress)
    {
        Objects.requireNonNull(principal, "principal");
        final List<CompiledAclRule> applying = new ArrayList<>();
        for (final CompiledAclRule rule : rules)
        {
            // Under a default of allow, allow rules change no decision.
            if ((!defaultAllow || rule.effect == AclEffect.DENY) && rule.appliesTo(principal, clientAddress))
            {
                applying.add(rule);
            }
        }
        return applying.isEmpty() ? noRuleApplies : ClientAcl.of(defaultAllow, applying);
    }
}
