package io.kafkaproxy.proxy.mirror;

import io.netty.buffer.ByteBuf;

/**
 * Where the request forwarder offers each Produce request once it went to the broker link: a copy of its records
 * may go to a shadow cluster. Whatever happens here, the client's request is not affected.
 *
 * <p>Called on the client connection's event loop.
 */
public interface MirrorTap
{
    /** The tap of a cluster without a mirror: it wants nothing. */
    MirrorTap NONE = new MirrorTap()
    {
        @Override
        public boolean mirrors()
        {
            return false;
        }

        @Override
        public void onProduce(final ByteBuf request, final short apiVersion, final long readNanos)
        {
            request.release();
        }
    };

    /**
     * Whether this tap takes Produce requests at all, so the forwarder keeps no reference when it does not.
     *
     * @return true when the cluster mirrors.
     */
    boolean mirrors();

    /**
     * Offers one Produce request as it was written to the broker link.
     *
     * @param request    the request, size field first, a retained duplicate; ownership moves here.
     * @param apiVersion the request's version.
     * @param readNanos  when the client's request was read ({@link System#nanoTime()}), for the mirror's lag.
     */
    void onProduce(ByteBuf request, short apiVersion, long readNanos);
}
