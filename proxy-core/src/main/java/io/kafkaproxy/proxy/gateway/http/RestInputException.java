package io.kafkaproxy.proxy.gateway.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request body or parameter REST Proxy would refuse: carries the status, REST Proxy's error code, a short reason for
 * the error counter and a message for the client. Thrown by the parsers deep in a body and caught by the route, which
 * answers with it ({@link HttpExchange#refuseBadInput}). Stackless: bad input is the client's, and frequent.
 */
final class RestInputException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;
    private final int errorCode;
    private final String reason;

    /**
     * A refusal.
     *
     * @param status    the HTTP status.
     * @param errorCode REST Proxy's code.
     * @param reason    the counter's reason label.
     * @param message   for the client; never record data.
     */
    RestInputException(final HttpResponseStatus status, final int errorCode, final String reason, final String message)
    {
        super(message, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
        this.reason = reason;
    }

    HttpResponseStatus status()
    {
        return status;
    }

    int errorCode()
    {
        return errorCode;
    }

    String reason()
    {
        return reason;
    }

    /**
     * Answers an exchange with this refusal.
     *
     * @param exchange the exchange.
     */
    void answer(final HttpExchange exchange)
    {
        exchange.refuseBadInput(status, errorCode, reason, getMessage());
    }

    /**
     * The body is not JSON.
     *
     * @param detail the parser's complaint.
     * @return the refusal: 400, REST Proxy's 400.
     */
    static RestInputException malformedJson(final String detail)
    {
        return new RestInputException(HttpResponseStatus.BAD_REQUEST, 400, "malformed_json", "malformed JSON: " + detail);
    }

    /**
     * The body is JSON of the wrong shape.
     *
     * @param detail what is wrong.
     * @return the refusal: 422, REST Proxy's 422.
     */
    static RestInputException invalidBody(final String detail)
    {
        return new RestInputException(HttpResponseStatus.UNPROCESSABLE_ENTITY, 422, "invalid_body", detail);
    }
}
