package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.request.DecodedRequest;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerWaitAllowanceTest
{
    private final List<ByteBuf> frames = new ArrayList<>();

    @AfterEach
    void releaseFrames()
    {
        frames.forEach(ByteBuf::release);
    }

    @Test
    void shouldAllowAFetchItsMaxWait()
    {
        // When
        final int fetchV11 = allowance(ApiKeys.FETCH, (short)11, new FetchRequestData().setMaxWaitMs(40_000));
        final int fetchV16 = allowance(ApiKeys.FETCH, (short)16, new FetchRequestData().setMaxWaitMs(500));

        // Then
        assertThat(fetchV11).isEqualTo(40_000);
        assertThat(fetchV16).isEqualTo(500);
    }

    @Test
    void shouldAllowAnAcksAllProduceItsTimeoutAndOtherProducesNothing()
    {
        // When
        final int acksAll = allowance(ApiKeys.PRODUCE, (short)9, new ProduceRequestData().setAcks((short)-1).setTimeoutMs(45_000));
        final int acksOne = allowance(ApiKeys.PRODUCE, (short)9, new ProduceRequestData().setAcks((short)1).setTimeoutMs(45_000));

        // Then
        assertThat(acksAll).isEqualTo(45_000);
        assertThat(acksOne).isZero();
    }

    @Test
    void shouldNeverTimeOutARebalance()
    {
        // When
        final int joinGroup = allowance(ApiKeys.JOIN_GROUP, (short)9, new JoinGroupRequestData().setGroupId("g").setProtocolType("consumer"));
        final int syncGroup = allowance(ApiKeys.SYNC_GROUP, (short)5, new SyncGroupRequestData().setGroupId("g"));

        // Then
        assertThat(joinGroup).isEqualTo(BrokerWaitAllowance.UNBOUNDED);
        assertThat(syncGroup).isEqualTo(BrokerWaitAllowance.UNBOUNDED);
    }

    @Test
    void shouldAllowOtherRequestsNoWaitOfTheirOwn()
    {
        // When
        final int listOffsets = allowance(ApiKeys.LIST_OFFSETS, (short)7, new ListOffsetsRequestData());

        // Then
        assertThat(listOffsets).isZero();
    }

    @Test
    void shouldTreatANegativeMaxWaitAsNone()
    {
        // When
        final int negative = allowance(ApiKeys.FETCH, (short)11, new FetchRequestData().setMaxWaitMs(-5));

        // Then
        assertThat(negative).isZero();
    }

    private int allowance(final ApiKeys api, final short version, final ApiMessage body)
    {
        final RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(1).setClientId("test");
        final ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(header, api.requestHeaderVersion(version)).buffer();
        final ByteBuffer bodyBytes = MessageUtil.toByteBufferAccessor(body, version).buffer();
        final ByteBuf frame = Unpooled.directBuffer().writeInt(headerBytes.remaining() + bodyBytes.remaining())
            .writeBytes(headerBytes).writeBytes(bodyBytes);
        frames.add(frame);
        final UnsafeBuffer view = ByteBufViews.wrapReadable(new UnsafeBuffer(0, 0), frame);
        final RequestHeaderFlyweight requestHeader = new RequestHeaderFlyweight()
            .wrap(view, FrameDescriptor.MESSAGE_OFFSET, frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
        final DecodedRequest decoded = EventLoopFlyweights.current().request().wrap(frame, requestHeader, view, 0L);
        try
        {
            return BrokerWaitAllowance.millis(decoded);
        }
        finally
        {
            decoded.clear();
        }
    }
}
