package io.jiomap.core;

import io.jiomap.api.io.Iocb;
import java.util.Locale;

/**
 * How an issuer wants its direct-write completions run. Reads always complete in the device completion context,
 * as in the kernel.
 */
public enum CompletionMode {
    /** The stock kernel: the device completion punts every write completion to the filesystem's workqueue. */
    WORKQUEUE(0),
    /**
     * The seed (IOCB_DIO_CALLER_COMP, Linux 6.6-rc): pure overwrites hand their completion back to the issuer,
     * which runs it while reaping; the rest go to the workqueue.
     */
    CALLER(Iocb.DIO_CALLER_COMP),
    /** Linux 6.19: pure overwrites complete in the device completion context; the rest go to the workqueue. */
    INLINE_OVERWRITE(Iocb.DIO_INLINE_COMP);

    private final int iocbFlag;

    CompletionMode(int iocbFlag) {
        this.iocbFlag = iocbFlag;
    }

    /** The iocb flag an issuer in this mode sets on its writes. */
    public int iocbFlag() {
        return iocbFlag;
    }

    /** The command-line name: {@code workqueue}, {@code caller}, {@code inline}. */
    public String cliName() {
        return this == INLINE_OVERWRITE ? "inline" : name().toLowerCase(Locale.ROOT);
    }

    /** Parses a command-line name ({@code workqueue|caller|inline}). */
    public static CompletionMode parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (CompletionMode m : values()) {
            if (m.cliName().equals(t) || m.name().toLowerCase(Locale.ROOT).equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown completion mode '" + text + "': use workqueue, caller or inline");
    }
}
