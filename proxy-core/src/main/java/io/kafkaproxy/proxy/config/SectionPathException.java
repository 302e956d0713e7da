package io.kafkaproxy.proxy.config;

import java.util.function.UnaryOperator;

/**
 * A bad value found by the record of a section that stands at several places in the file, such as the broker
 * {@code tls} and {@code sasl} sections (under {@code upstream}, {@code upstream.standby} and {@code mirror}, at the
 * top level or in a {@code clusters} entry). The record does not know where its section stands, so it writes the
 * message for any place, and whoever knows the place (the parser, from where it read the section) asks for the
 * message {@link #at} that place.
 *
 * <p>Unplaced, the message names the section by its own key ({@code tls.privateKey: ...}).
 */
public final class SectionPathException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /** The message for the section's full YAML path, every path in it built on that one. */
    private final transient UnaryOperator<String> messageAt;

    /**
     * Creates the exception.
     *
     * @param sectionKey the section's own key (e.g. {@code tls}), where the message stands until it is placed.
     * @param messageAt  the message, {@code yaml.path: problem}, for the section's full YAML path.
     */
    public SectionPathException(final String sectionKey, final UnaryOperator<String> messageAt)
    {
        super(messageAt.apply(sectionKey));
        this.messageAt = messageAt;
    }

    /**
     * The message for the section where it stands.
     *
     * @param sectionPath the section's full YAML path, e.g. {@code clusters[1].upstream.standby.tls}.
     * @return {@code yaml.path: problem}, every path in it under {@code sectionPath}.
     */
    public String at(final String sectionPath)
    {
        return messageAt == null ? getMessage() : messageAt.apply(sectionPath);
    }
}
