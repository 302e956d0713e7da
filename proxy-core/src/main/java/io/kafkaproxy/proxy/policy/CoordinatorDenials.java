package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.request.RequestDecision;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;

import java.util.List;

/**
 * Group, transactional-id and idempotence checks: the requests a group or transaction coordinator serves, each
 * decided whole and, when denied, answered by the proxy with the error a broker gives (GROUP_AUTHORIZATION_FAILED,
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED) through Kafka's own error responses.
 *
 * <p>These requests are few (a heartbeat every few seconds), so they are read with Kafka's generated classes, and
 * only while a rule could deny the client what they ask ({@link #mayDeny}). A request naming several groups is
 * denied whole if one of them is.
 */
final class CoordinatorDenials
{
    private CoordinatorDenials()
    {
    }

    /**
     * Whether an api is decided here at all.
     *
     * @param apiKey the api key.
     * @return true for group, transaction and producer-id apis.
     */
    static boolean decides(final short apiKey)
    {
        switch (apiKey)
        {
            case ApiKeyIds.JOIN_GROUP:
            case ApiKeyIds.SYNC_GROUP:
            case ApiKeyIds.HEARTBEAT:
            case ApiKeyIds.LEAVE_GROUP:
            case ApiKeyIds.OFFSET_COMMIT:
            case ApiKeyIds.OFFSET_FETCH:
            case ApiKeyIds.DESCRIBE_GROUPS:
            case ApiKeyIds.DELETE_GROUPS:
            case ApiKeyIds.OFFSET_DELETE:
            case ApiKeyIds.CONSUMER_GROUP_HEARTBEAT:
            case ApiKeyIds.CONSUMER_GROUP_DESCRIBE:
            case ApiKeyIds.FIND_COORDINATOR:
            case ApiKeyIds.INIT_PRODUCER_ID:
            case ApiKeyIds.ADD_PARTITIONS_TO_TXN:
            case ApiKeyIds.ADD_OFFSETS_TO_TXN:
            case ApiKeyIds.END_TXN:
            case ApiKeyIds.TXN_OFFSET_COMMIT:
                return true;
            default:
                return false;
        }
    }

    /**
     * Whether any rule could deny an api's request to a client, so that it must be read.
     *
     * @param apiKey an api {@link #decides} covers.
     * @param acl    the client's rules.
     * @return false when the request can pass unread.
     */
    static boolean mayDeny(final short apiKey, final io.kafkaproxy.proxy.acl.ClientAcl acl)
    {
        switch (apiKey)
        {
            case ApiKeyIds.FIND_COORDINATOR:
                return !acl.allowsAll(AclResourceType.GROUP, AclOperation.DESCRIBE) ||
                    !acl.allowsAll(AclResourceType.TRANSACTIONAL_ID, AclOperation.DESCRIBE);
            case ApiKeyIds.INIT_PRODUCER_ID:
                return !acl.allowsAll(AclResourceType.TRANSACTIONAL_ID, AclOperation.WRITE) ||
                    !acl.allowsAll(AclResourceType.CLUSTER, AclOperation.IDEMPOTENT_WRITE);
            case ApiKeyIds.ADD_PARTITIONS_TO_TXN:
            case ApiKeyIds.END_TXN:
                return !acl.allowsAll(AclResourceType.TRANSACTIONAL_ID, AclOperation.WRITE);
            case ApiKeyIds.ADD_OFFSETS_TO_TXN:
            case ApiKeyIds.TXN_OFFSET_COMMIT:
                return !acl.allowsAll(AclResourceType.TRANSACTIONAL_ID, AclOperation.WRITE) ||
                    !acl.allowsAll(AclResourceType.GROUP, AclOperation.READ);
            case ApiKeyIds.OFFSET_FETCH:
            case ApiKeyIds.DESCRIBE_GROUPS:
            case ApiKeyIds.CONSUMER_GROUP_DESCRIBE:
                return !acl.allowsAll(AclResourceType.GROUP, AclOperation.DESCRIBE);
            case ApiKeyIds.DELETE_GROUPS:
            case ApiKeyIds.OFFSET_DELETE:
                return !acl.allowsAll(AclResourceType.GROUP, AclOperation.DELETE);
            default:
                return !acl.allowsAll(AclResourceType.GROUP, AclOperation.READ);
        }
    }

    /**
     * Decides a request and, when something is denied, makes the broker's error answer.
     *
     * @param frame      the request, size field first; not released here.
     * @param bodyOffset where its body starts.
     * @param apiKey     its api key, one {@link #decides} covers.
     * @param apiVersion its version.
     * @param checks     decides and records each resource.
     * @param outcome    receives the answer when something is denied.
     */
    static void decide(
        final ByteBuf frame, final int bodyOffset, final short apiKey, final short apiVersion, final ResourceChecks checks,
        final RequestDecision outcome)
    {
        final AbstractRequest request = KafkaMessageFrames.read(frame, bodyOffset, apiVersion,
            body -> AbstractRequest.parseRequest(ApiKeys.forId(apiKey), apiVersion, body).request);
        final Errors error = deniedWith(request.data(), checks);
        if (error != Errors.NONE)
        {
            outcome.answer(request.getErrorResponse(0, error.exception()).data());
        }
    }

    private static Errors deniedWith(final ApiMessage data, final ResourceChecks checks)
    {
        if (data instanceof JoinGroupRequestData)
        {
            return group(checks, AclOperation.READ, ((JoinGroupRequestData)data).groupId());
        }
        if (data instanceof SyncGroupRequestData)
        {
            return group(checks, AclOperation.READ, ((SyncGroupRequestData)data).groupId());
        }
        if (data instanceof HeartbeatRequestData)
        {
            return group(checks, AclOperation.READ, ((HeartbeatRequestData)data).groupId());
        }
        if (data instanceof LeaveGroupRequestData)
        {
            return group(checks, AclOperation.READ, ((LeaveGroupRequestData)data).groupId());
        }
        if (data instanceof OffsetCommitRequestData)
        {
            return group(checks, AclOperation.READ, ((OffsetCommitRequestData)data).groupId());
        }
        if (data instanceof ConsumerGroupHeartbeatRequestData)
        {
            return group(checks, AclOperation.READ, ((ConsumerGroupHeartbeatRequestData)data).groupId());
        }
        if (data instanceof OffsetFetchRequestData)
        {
            final OffsetFetchRequestData fetch = (OffsetFetchRequestData)data;
            if (fetch.groups().isEmpty())
            {
                return group(checks, AclOperation.DESCRIBE, fetch.groupId());
            }
            for (final OffsetFetchRequestData.OffsetFetchRequestGroup group : fetch.groups())
            {
                if (group(checks, AclOperation.DESCRIBE, group.groupId()) != Errors.NONE)
                {
                    return Errors.GROUP_AUTHORIZATION_FAILED;
                }
            }
            return Errors.NONE;
        }
        if (data instanceof DescribeGroupsRequestData)
        {
            return groups(checks, AclOperation.DESCRIBE, ((DescribeGroupsRequestData)data).groups());
        }
        if (data instanceof ConsumerGroupDescribeRequestData)
        {
            return groups(checks, AclOperation.DESCRIBE, ((ConsumerGroupDescribeRequestData)data).groupIds());
        }
        if (data instanceof DeleteGroupsRequestData)
        {
            return groups(checks, AclOperation.DELETE, ((DeleteGroupsRequestData)data).groupsNames());
        }
        if (data instanceof OffsetDeleteRequestData)
        {
            return group(checks, AclOperation.DELETE, ((OffsetDeleteRequestData)data).groupId());
        }
        if (data instanceof FindCoordinatorRequestData)
        {
            return findCoordinator((FindCoordinatorRequestData)data, checks);
        }
        if (data instanceof InitProducerIdRequestData)
        {
            final String transactionalId = ((InitProducerIdRequestData)data).transactionalId();
            if (transactionalId == null)
            {
                return checks.allows(AclResourceType.CLUSTER, AclOperation.IDEMPOTENT_WRITE, null) ?
                    Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
            }
            return transaction(checks, AclOperation.WRITE, transactionalId);
        }
        if (data instanceof AddPartitionsToTxnRequestData)
        {
            final AddPartitionsToTxnRequestData add = (AddPartitionsToTxnRequestData)data;
            if (add.transactions().isEmpty())
            {
                return transaction(checks, AclOperation.WRITE, add.v3AndBelowTransactionalId());
            }
            for (final AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction transaction : add.transactions())
            {
                if (transaction(checks, AclOperation.WRITE, transaction.transactionalId()) != Errors.NONE)
                {
                    return Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
                }
            }
            return Errors.NONE;
        }
        if (data instanceof AddOffsetsToTxnRequestData)
        {
            final AddOffsetsToTxnRequestData add = (AddOffsetsToTxnRequestData)data;
            final Errors transaction = transaction(checks, AclOperation.WRITE, add.transactionalId());
            return transaction != Errors.NONE ? transaction : group(checks, AclOperation.READ, add.groupId());
        }
        if (data instanceof EndTxnRequestData)
        {
            return transaction(checks, AclOperation.WRITE, ((EndTxnRequestData)data).transactionalId());
        }
        if (data instanceof TxnOffsetCommitRequestData)
        {
            final TxnOffsetCommitRequestData commit = (TxnOffsetCommitRequestData)data;
            final Errors transaction = transaction(checks, AclOperation.WRITE, commit.transactionalId());
            return transaction != Errors.NONE ? transaction : group(checks, AclOperation.READ, commit.groupId());
        }
        return Errors.NONE;
    }

    private static Errors findCoordinator(final FindCoordinatorRequestData find, final ResourceChecks checks)
    {
        // key_type 0 is a group, 1 a transactional id (2, share groups, are groups too).
        final boolean transaction = find.keyType() == 1;
        final List<String> keys = find.coordinatorKeys().isEmpty() ? List.of(find.key()) : find.coordinatorKeys();
        for (final String key : keys)
        {
            final Errors error = transaction ? transaction(checks, AclOperation.DESCRIBE, key) : group(checks, AclOperation.DESCRIBE, key);
            if (error != Errors.NONE)
            {
                return error;
            }
        }
        return Errors.NONE;
    }

    private static Errors group(final ResourceChecks checks, final AclOperation operation, final String groupId)
    {
        return checks.allows(AclResourceType.GROUP, operation, groupId) ? Errors.NONE : Errors.GROUP_AUTHORIZATION_FAILED;
    }

    private static Errors groups(final ResourceChecks checks, final AclOperation operation, final List<String> groupIds)
    {
        for (final String groupId : groupIds)
        {
            if (group(checks, operation, groupId) != Errors.NONE)
            {
                return Errors.GROUP_AUTHORIZATION_FAILED;
            }
        }
        return Errors.NONE;
    }

    private static Errors transaction(final ResourceChecks checks, final AclOperation operation, final String transactionalId)
    {
        return checks.allows(AclResourceType.TRANSACTIONAL_ID, operation, transactionalId) ?
            Errors.NONE : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    }
}
