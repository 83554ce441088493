package io.jiomap.fs.ext4like.disk;

/** On-disk metadata that does not decode: the message says which block and what is wrong. */
public final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
        super(message);
    }
}
