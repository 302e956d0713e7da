package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.acl.ClientAcl;
import io.kafkaproxy.proxy.request.RequestDecision;
import io.kafkaproxy.proxy.request.ResponseAmendment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.requests.AbstractResponse;

import java.util.Collection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Admin requests decided per resource: CreateTopics (create on the topic), DeleteTopics (delete), DescribeConfigs
 * (describeConfigs), AlterConfigs and IncrementalAlterConfigs (alterConfigs) on topics, brokers (the cluster) and
 * groups. Denied resources leave the request and come back in the broker's answer with the error a broker gives
 * them; a request with nothing allowed is answered by the proxy.
 *
 * <p>Admin requests are rare, so they are read and written with Kafka's generated classes, and only while a rule
 * could deny the client what they ask.
 */
final class AdminDenials implements ResponseAmendment
{
    /** DescribeConfigs and AlterConfigs resource types (ConfigResource.Type). */
    private static final byte CONFIG_TOPIC = 2;
    private static final byte CONFIG_GROUP = 32;

    private final short apiKey;
    private final Consumer<ApiMessage> addDenied;

    private AdminDenials(final short apiKey, final Consumer<ApiMessage> addDenied)
    {
        this.apiKey = apiKey;
        this.addDenied = addDenied;
    }

    /**
     * Whether an api is decided here.
     *
     * @param apiKey the api key.
     * @return true for the topic and config admin apis.
     */
    static boolean decides(final short apiKey)
    {
        return apiKey == ApiKeyIds.CREATE_TOPICS || apiKey == ApiKeyIds.DELETE_TOPICS || apiKey == ApiKeyIds.DESCRIBE_CONFIGS ||
            apiKey == ApiKeyIds.ALTER_CONFIGS || apiKey == ApiKeyIds.INCREMENTAL_ALTER_CONFIGS;
    }

    /**
     * Whether any rule could deny an api's request to a client, so that it must be read.
     *
     * @param apiKey an api {@link #decides} covers.
     * @param acl    the client's rules.
     * @return false when the request can pass unread.
     */
    static boolean mayDeny(final short apiKey, final ClientAcl acl)
    {
        switch (apiKey)
        {
            case ApiKeyIds.CREATE_TOPICS:
                return !acl.allowsAll(AclResourceType.TOPIC, AclOperation.CREATE);
            case ApiKeyIds.DELETE_TOPICS:
                return !acl.allowsAll(AclResourceType.TOPIC, AclOperation.DELETE);
            case ApiKeyIds.DESCRIBE_CONFIGS:
                return mayDenyConfigs(acl, AclOperation.DESCRIBE_CONFIGS);
            default:
                return mayDenyConfigs(acl, AclOperation.ALTER_CONFIGS);
        }
    }

    private static boolean mayDenyConfigs(final ClientAcl acl, final AclOperation operation)
    {
        return !acl.allowsAll(AclResourceType.TOPIC, operation) || !acl.allowsAll(AclResourceType.CLUSTER, operation) ||
            !acl.allowsAll(AclResourceType.GROUP, operation);
    }

    /**
     * Decides each resource of a request.
     *
     * @param alloc      allocates a rewritten request.
     * @param frame      the request, size field first; not released here.
     * @param bodyOffset where its body starts.
     * @param apiKey     its api key, one {@link #decides} covers.
     * @param apiVersion its version.
     * @param checks     decides and records each resource.
     * @param outcome    receives the outcome when something is denied.
     */
    static void decide(
        final ByteBufAllocator alloc, final ByteBuf frame, final int bodyOffset, final short apiKey, final short apiVersion,
        final ResourceChecks checks, final RequestDecision outcome)
    {
        final ApiMessage request = ApiKeys.forId(apiKey).messageType.newRequest();
        KafkaMessageFrames.read(frame, bodyOffset, apiVersion, body ->
        {
            request.read(body, apiVersion);
            return request;
        });
        final SplitResult split;
        switch (apiKey)
        {
            case ApiKeyIds.CREATE_TOPICS:
                split = createTopics((CreateTopicsRequestData)request, checks);
                break;
            case ApiKeyIds.DELETE_TOPICS:
                split = deleteTopics((DeleteTopicsRequestData)request, apiVersion, checks);
                break;
            case ApiKeyIds.DESCRIBE_CONFIGS:
                split = describeConfigs((DescribeConfigsRequestData)request, checks);
                break;
            case ApiKeyIds.ALTER_CONFIGS:
                split = alterConfigs((AlterConfigsRequestData)request, checks);
                break;
            default:
                split = incrementalAlterConfigs((IncrementalAlterConfigsRequestData)request, checks);
                break;
        }
        if (split.deniedCount == 0)
        {
            return;
        }
        final AdminDenials amendment = new AdminDenials(apiKey, split.addDenied);
        if (split.allowedCount == 0)
        {
            final ApiMessage response = ApiKeys.forId(apiKey).messageType.newResponse();
            split.addDenied.accept(response);
            outcome.answer(response);
        }
        else
        {
            outcome.forward(KafkaMessageFrames.withBody(alloc, frame, bodyOffset, request, apiVersion), amendment);
        }
    }

    @Override
    public ByteBuf amend(final ByteBufAllocator alloc, final ByteBuf response, final int bodyOffset, final short apiVersion)
    {
        try
        {
            final ApiMessage data = KafkaMessageFrames.read(response, bodyOffset, apiVersion,
                body -> AbstractResponse.parseResponse(ApiKeys.forId(apiKey), body, apiVersion).data());
            addDenied.accept(data);
            return KafkaMessageFrames.withBody(alloc, response, bodyOffset, data, apiVersion);
        }
        finally
        {
            response.release();
        }
    }

    private record SplitResult(int allowedCount, int deniedCount, Consumer<ApiMessage> addDenied)
    {
    }

    /**
     * The one resource loop: takes each resource the checks deny out of a request, keeping the answer a broker gives it.
     *
     * @param resources    the request's resources; denied ones are removed.
     * @param deniedAnswer the answer to a resource, or null when it is allowed.
     * @param denied       receives the answers of the denied resources.
     */
    private static <Q, R extends Message> void removeDenied(
        final Iterator<Q> resources, final Function<Q, R> deniedAnswer, final List<R> denied)
    {
        while (resources.hasNext())
        {
            final R answer = deniedAnswer.apply(resources.next());
            if (answer != null)
            {
                denied.add(answer);
                resources.remove();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <R extends Message> SplitResult split(
        final int allowedCount, final List<R> denied, final Function<ApiMessage, Collection<R>> responseEntries)
    {
        return new SplitResult(allowedCount, denied.size(), response ->
        {
            final Collection<R> entries = responseEntries.apply(response);
            for (final R result : denied)
            {
                entries.add((R)result.duplicate());
            }
        });
    }

    private static SplitResult createTopics(final CreateTopicsRequestData request, final ResourceChecks checks)
    {
        final List<CreateTopicsResponseData.CreatableTopicResult> denied = new ArrayList<>();
        removeDenied(request.topics().iterator(), topic -> checks.allows(AclResourceType.TOPIC, AclOperation.CREATE, topic.name()) ?
            null : new CreateTopicsResponseData.CreatableTopicResult()
                .setName(topic.name())
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message())
                .setNumPartitions(-1)
                .setReplicationFactor((short)-1), denied);
        return split(request.topics().size(), denied, response -> ((CreateTopicsResponseData)response).topics());
    }

    private static SplitResult deleteTopics(final DeleteTopicsRequestData request, final short apiVersion, final ResourceChecks checks)
    {
        final List<DeleteTopicsResponseData.DeletableTopicResult> denied = new ArrayList<>();
        // Up to v5 topics are a list of names; from v6 a list of name-or-id entries. Ids are decided once named.
        removeDenied(request.topicNames().iterator(), name -> checks.allows(AclResourceType.TOPIC, AclOperation.DELETE, name) ?
            null : deletableError(name, Uuid.ZERO_UUID), denied);
        removeDenied(request.topics().iterator(), state -> state.name() == null ||
            checks.allows(AclResourceType.TOPIC, AclOperation.DELETE, state.name()) ? null : deletableError(state.name(), state.topicId()), denied);
        final int allowed = apiVersion >= 6 ? request.topics().size() : request.topicNames().size();
        return split(allowed, denied, response -> ((DeleteTopicsResponseData)response).responses());
    }

    private static DeleteTopicsResponseData.DeletableTopicResult deletableError(final String name, final Uuid id)
    {
        return new DeleteTopicsResponseData.DeletableTopicResult()
            .setName(name)
            .setTopicId(id)
            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
            .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message());
    }

    private static SplitResult describeConfigs(final DescribeConfigsRequestData request, final ResourceChecks checks)
    {
        final List<DescribeConfigsResponseData.DescribeConfigsResult> denied = new ArrayList<>();
        removeDenied(request.resources().iterator(), resource ->
        {
            final Errors error = configError(resource.resourceType(), resource.resourceName(), AclOperation.DESCRIBE_CONFIGS, checks);
            return error == Errors.NONE ? null : new DescribeConfigsResponseData.DescribeConfigsResult()
                .setErrorCode(error.code())
                .setErrorMessage(error.message())
                .setResourceType(resource.resourceType())
                .setResourceName(resource.resourceName());
        }, denied);
        return split(request.resources().size(), denied, response -> ((DescribeConfigsResponseData)response).results());
    }

    private static SplitResult alterConfigs(final AlterConfigsRequestData request, final ResourceChecks checks)
    {
        final List<AlterConfigsResponseData.AlterConfigsResourceResponse> denied = new ArrayList<>();
        removeDenied(request.resources().iterator(), resource ->
        {
            final Errors error = configError(resource.resourceType(), resource.resourceName(), AclOperation.ALTER_CONFIGS, checks);
            return error == Errors.NONE ? null : new AlterConfigsResponseData.AlterConfigsResourceResponse()
                .setErrorCode(error.code())
                .setErrorMessage(error.message())
                .setResourceType(resource.resourceType())
                .setResourceName(resource.resourceName());
        }, denied);
        return split(request.resources().size(), denied, response -> ((AlterConfigsResponseData)response).responses());
    }

    private static SplitResult incrementalAlterConfigs(final IncrementalAlterConfigsRequestData request, final ResourceChecks checks)
    {
        final List<IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse> denied = new ArrayList<>();
        removeDenied(request.resources().iterator(), resource ->
        {
            final Errors error = configError(resource.resourceType(), resource.resourceName(), AclOperation.ALTER_CONFIGS, checks);
            return error == Errors.NONE ? null : new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                .setErrorCode(error.code())
                .setErrorMessage(error.message())
                .setResourceType(resource.resourceType())
                .setResourceName(resource.resourceName());
        }, denied);
        return split(request.resources().size(), denied, response -> ((IncrementalAlterConfigsResponseData)response).responses());
    }

    private static Errors configError(final byte resourceType, final String name, final AclOperation operation, final ResourceChecks checks)
    {
        if (resourceType == CONFIG_TOPIC)
        {
            return checks.allows(AclResourceType.TOPIC, operation, name) ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
        }
        if (resourceType == CONFIG_GROUP)
        {
            return checks.allows(AclResourceType.GROUP, operation, name) ? Errors.NONE : Errors.GROUP_AUTHORIZATION_FAILED;
        }
        // Brokers, broker loggers and client metrics are cluster-wide settings.
        return checks.allows(AclResourceType.CLUSTER, operation, null) ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
    }
}
