package io.jiomap.core;

import io.jiomap.api.vfs.Iocb;
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
    IRQ_OVERWRITE(Iocb.DIO_IRQ_COMP),
    /**
     * A jiomap extension, not in any kernel: caller completion on a polled ring. The ring is IOPOLL (every read and
     * write is HIPRI) and, unlike io_uring, still sets IOCB_DIO_CALLER_COMP on its writes, so a pure overwrite keeps
     * HIPRI (docs/dio-contract.md, "B2 step 4"), its one bio goes to a poll queue, the ring reaps it in its own thread
     * and runs the deferred completion right there: no interrupt thread, no workqueue, no cross-thread wake-up.
     * Everything caller completion does not keep (allocation, unwritten conversion, extension, O_DSYNC without FUA)
     * drops HIPRI and completes as in {@link #CALLER} (docs/dio-contract.md, "B6 polled caller completion").
     */
    CALLER_POLL(Iocb.DIO_CALLER_COMP);

    private final int iocbFlag;

    CompletionMode(int iocbFlag) {
        this.iocbFlag = iocbFlag;
    }

    /** Whether a ring in this mode polls (IORING_SETUP_IOPOLL) whatever its setup flags say. */
    public boolean polled() {
        return this == CALLER_POLL;
    }

    /** The iocb flag an issuer in this mode sets on its writes. */
    public int iocbFlag() {
        return iocbFlag;
    }

    /**
     * The command-line name: {@code workqueue}, {@code caller}, {@code inline}, {@code caller+poll}. {@link
     * #IRQ_OVERWRITE} keeps the word inline there (docs/dio-contract.md, "Completion words").
     */
    public String cliName() {
        return switch (this) {
            case IRQ_OVERWRITE -> "inline";
            case CALLER_POLL -> "caller+poll";
            default -> name().toLowerCase(Locale.ROOT);
        };
    }

    /** Parses a command-line name ({@code workqueue|caller|inline|caller+poll}). */
    public static CompletionMode parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (CompletionMode m : values()) {
            if (m.cliName().equals(t) || m.name().toLowerCase(Locale.ROOT).equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown completion mode '" + text
                + "': use workqueue, caller, inline or caller+poll");
    }
}
