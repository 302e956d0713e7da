package io.kafkaproxy.bench;

import io.kafkaproxy.proxy.acl.AclAuthorizer;
import io.kafkaproxy.proxy.config.AclEffect;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclPatternType;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.acl.ClientAcl;
import io.kafkaproxy.proxy.config.AclConfig;
import io.kafkaproxy.proxy.config.AclRuleConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.kafkaproxy.proxy.config.AclEffect.ALLOW;
import static io.kafkaproxy.proxy.config.AclEffect.DENY;
import static io.kafkaproxy.proxy.config.AclOperation.READ;
import static io.kafkaproxy.proxy.config.AclOperation.WRITE;
import static io.kafkaproxy.proxy.config.AclPatternType.LITERAL;
import static io.kafkaproxy.proxy.config.AclPatternType.PREFIXED;
import static io.kafkaproxy.proxy.config.AclResourceType.CLUSTER;
import static io.kafkaproxy.proxy.config.AclResourceType.GROUP;
import static io.kafkaproxy.proxy.config.AclResourceType.TOPIC;
import static io.kafkaproxy.proxy.config.AclResourceType.TRANSACTIONAL_ID;

/**
 * What one ACL decision costs a request: a topic's write or read decided for one connection, with the topic name
 * compared in place where it sits in the request.
 *
 * <p>The policy is a realistic 100 rules under {@code defaultPolicy: deny}: ten services with nine rules each
 * (prefixed and literal topics, groups, transactional ids, one deny), and ten shared rules for service prefixes
 * ({@code svc-app-*}), everyone ({@code *}) and other principals. The connection is {@code svc-app-3}'s, so its
 * {@link ClientAcl} keeps the fifteen rules that apply to it, as a connection would after
 * {@link AclAuthorizer#forClient}. Names are held in an off-heap {@link UnsafeBuffer}, as frames are. The four
 * cases cover each way out of a decision: allowed by a prefix after missing the deny rules, denied by a literal
 * deny, allowed by a literal, and denied by default after every relevant rule was tried.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class AclDecisionBenchmark
{
    private static final String WRITE_ALLOWED = "app-3-orders-eu-west-1";
    private static final String WRITE_DENIED = "app-3-internal";
    private static final String READ_ALLOWED = "shared-events-3";
    private static final String READ_DENIED = "app-7-orders-eu-west-1";

    private final UnsafeBuffer names = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private ClientAcl acl;
    private int writeAllowedOffset;
    private int writeAllowedLength;
    private int writeDeniedOffset;
    private int writeDeniedLength;
    private int readAllowedOffset;
    private int readAllowedLength;
    private int readDeniedOffset;
    private int readDeniedLength;

    @Setup
    public void compilePolicy()
    {
        final List<AclRuleConfig> rules = new ArrayList<>();
        for (int service = 0; service < 10; service++)
        {
            final String principal = "svc-app-" + service;
            final String app = "app-" + service + "-";
            rules.add(rule(ALLOW, principal, TOPIC, app, PREFIXED, WRITE));
            rules.add(rule(ALLOW, principal, TOPIC, "shared-events-" + service, LITERAL, READ));
            rules.add(rule(ALLOW, principal, TOPIC, "audit-" + service, LITERAL, WRITE));
            rules.add(rule(ALLOW, principal, TOPIC, "metrics-" + service + "-a", LITERAL, WRITE));
            rules.add(rule(ALLOW, principal, TOPIC, "metrics-" + service + "-b", LITERAL, WRITE));
            rules.add(rule(DENY, principal, TOPIC, app + "internal", LITERAL, WRITE));
            rules.add(rule(ALLOW, principal, GROUP, app + "consumers-", PREFIXED, READ));
            rules.add(rule(ALLOW, principal, GROUP, app + "main", LITERAL, READ));
            rules.add(rule(ALLOW, principal, TRANSACTIONAL_ID, app + "tx-", PREFIXED, WRITE));
        }
        rules.add(new AclRuleConfig(ALLOW, "*", CLUSTER, AclResourceType.CLUSTER_NAME, LITERAL,
            Set.of(AclOperation.DESCRIBE, AclOperation.IDEMPOTENT_WRITE), List.of()));
        rules.add(rule(DENY, "*", TOPIC, "secret-", PREFIXED, AclOperation.ALL));
        rules.add(rule(ALLOW, "svc-app-*", TOPIC, "public-", PREFIXED, READ));
        rules.add(rule(ALLOW, "svc-app-*", TOPIC, "heartbeat", LITERAL, WRITE));
        rules.add(rule(DENY, "svc-app-*", TOPIC, "app-3-frozen", LITERAL, WRITE));
        rules.add(rule(DENY, "svc-app-*", TOPIC, "app-3-legacy", LITERAL, WRITE));
        rules.add(rule(ALLOW, "analytics", TOPIC, "*", LITERAL, READ));
        rules.add(rule(ALLOW, "analytics", GROUP, "analytics-", PREFIXED, READ));
        rules.add(rule(ALLOW, "ops-admin", TOPIC, "*", LITERAL, AclOperation.ALL));
        rules.add(new AclRuleConfig(ALLOW, "ops-admin", CLUSTER, AclResourceType.CLUSTER_NAME, LITERAL,
            Set.of(AclOperation.ALL), List.of()));
        if (rules.size() != 100)
        {
            throw new IllegalStateException("the policy should have 100 rules: rules=" + rules.size());
        }
        acl = AclAuthorizer.compile(new AclConfig(DENY, rules)).forClient("svc-app-3", null);

        // Names at odd offsets, after other bytes, as they sit inside requests.
        int offset = 7;
        writeAllowedOffset = offset;
        writeAllowedLength = names.putStringWithoutLengthUtf8(offset, WRITE_ALLOWED);
        offset += writeAllowedLength + 13;
        writeDeniedOffset = offset;
        writeDeniedLength = names.putStringWithoutLengthUtf8(offset, WRITE_DENIED);
        offset += writeDeniedLength + 13;
        readAllowedOffset = offset;
        readAllowedLength = names.putStringWithoutLengthUtf8(offset, READ_ALLOWED);
        offset += readAllowedLength + 13;
        readDeniedOffset = offset;
        readDeniedLength = names.putStringWithoutLengthUtf8(offset, READ_DENIED);
        if (!writeAllowed() || writeDenied() || !readAllowed() || readDenied())
        {
            throw new IllegalStateException("the policy does not decide as the benchmark expects");
        }
    }

    @Benchmark
    public boolean writeAllowed()
    {
        return acl.isAllowed(TOPIC, WRITE, names, writeAllowedOffset, writeAllowedLength);
    }

    @Benchmark
    public boolean writeDenied()
    {
        return acl.isAllowed(TOPIC, WRITE, names, writeDeniedOffset, writeDeniedLength);
    }

    @Benchmark
    public boolean readAllowed()
    {
        return acl.isAllowed(TOPIC, READ, names, readAllowedOffset, readAllowedLength);
    }

    @Benchmark
    public boolean readDenied()
    {
        return acl.isAllowed(TOPIC, READ, names, readDeniedOffset, readDeniedLength);
    }

    private static AclRuleConfig rule(
        final AclEffect effect,
        final String principal,
        final AclResourceType type,
        final String name,
        final AclPatternType pattern,
        final AclOperation operation)
    {
        return new AclRuleConfig(effect, principal, type, name, pattern, Set.of(operation), List.of());
    }
}
