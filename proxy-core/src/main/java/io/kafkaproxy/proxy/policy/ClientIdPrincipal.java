package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.request.DecodedRequest;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The last-resort identity: the client.id of the connection's latest request (empty when the request has none).
 *
 * <p>The client.id is compared in place with the one already known, so a client that keeps its id costs no
 * allocation. Confined to the connection's event loop.
 */
final class ClientIdPrincipal implements PrincipalSource
{
    private byte[] clientIdBytes;
    private String principal;

    @Override
    public void onRequest(final DecodedRequest request)
    {
        final DirectBuffer view = request.view();
        final int offset = request.header().clientIdOffset();
        final int length = request.header().clientIdLength();
        if (!identifiedBy(view, offset, length))
        {
            principal = clientId(view, offset, length);
        }
    }

    @Override
    public String principal()
    {
        return principal;
    }

    private boolean identifiedBy(final DirectBuffer view, final int offset, final int length)
    {
        final byte[] known = clientIdBytes;
        if (known == null || length < 0 || known.length != length)
        {
            return known != null && length < 0 && known.length == 0;
        }
        for (int i = 0; i < length; i++)
        {
            if (view.getByte(offset + i) != known[i])
            {
                return false;
            }
        }
        return true;
    }

    private String clientId(final DirectBuffer view, final int offset, final int length)
    {
        if (length <= 0)
        {
            clientIdBytes = new byte[0];
            return "";
        }
        clientIdBytes = new byte[length];
        view.getBytes(offset, clientIdBytes);
        return new String(clientIdBytes, StandardCharsets.UTF_8);
    }
}
