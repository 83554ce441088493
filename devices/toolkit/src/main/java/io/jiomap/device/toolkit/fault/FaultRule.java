package io.jiomap.device.toolkit.fault;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * One fault rule: which bios it looks at (operations, FUA only, an address range), which of those it hits (every one,
 * the Nth, every Kth, or each with a seeded probability) and what it does to them. Immutable; built with
 * {@link FaultRules#builder()}.
 *
 * <p>Counting is per rule: the Nth matching bio is the Nth bio that passes this rule's filter since the rule set was
 * installed in a {@link FaultyDevice}, whatever other rules did to the bios before it.
 *
 * @param ops           the operations it looks at
 * @param fuaOnly       only writes carrying {@link Bio#FUA}
 * @param rangeStart    first device byte of the address range (inclusive); a bio matches when it overlaps the range
 * @param rangeEnd      end of the address range (exclusive); {@link Long#MAX_VALUE} for no range. A range never
 *                      matches a flush, which has no address
 * @param trigger       which matching bios it hits
 * @param n             the N of {@link Trigger#NTH} or the K of {@link Trigger#EVERY}
 * @param probability   the chance of {@link Trigger#RANDOM}
 * @param seed          the seed of {@link Trigger#RANDOM}: the same seed hits the same matching bios (by their
 *                      position in the rule's count), whatever the timing
 * @param action        what it does to a hit bio
 * @param errno         the errno of {@link Action#FAIL}; {@link Errno#EIO} for {@link Action#SHORT}
 * @param shortBytes    the bytes of {@link Action#SHORT} that reach the inner device
 * @param delayNanos    the added latency of {@link Action#DELAY}
 */
public record FaultRule(Set<BioOp> ops, boolean fuaOnly, long rangeStart, long rangeEnd, Trigger trigger, long n,
                        double probability, long seed, Action action, int errno, int shortBytes, long delayNanos) {

    /** Which matching bios a rule hits. */
    public enum Trigger {
        /** Every matching bio. */
        ALWAYS,
        /** Only the Nth matching bio (counting from 1). */
        NTH,
        /** The Kth, 2Kth, 3Kth... matching bio. */
        EVERY,
        /** Each matching bio with a seeded probability. */
        RANDOM
    }

    /** What a rule does to a bio it hits. */
    public enum Action {
        /** The bio never reaches the inner device and completes with the rule's errno. */
        FAIL,
        /**
         * A short transfer. The device contract has no partial completion (a bio completes whole or fails), so a short
         * transfer is modelled as: only the first {@code shortBytes} bytes, rounded down to the logical block size and
         * at most the bio's length, reach the inner device as one bio, and the original bio then completes with EIO
         * (or with the inner device's error if that part failed). When the rounded count is 0 nothing reaches the
         * device. A flush has nothing to shorten: it fails with EIO without reaching the device.
         */
        SHORT,
        /**
         * The bio completes no earlier than {@code delayNanos} after its submission; the wait happens on a timer
         * thread, never in a submitter or in the inner device's completion thread, so other bios are not held up.
         */
        DELAY,
        /** The device goes away: see {@link FaultyDevice#disappear()}. */
        DISAPPEAR
    }

    public FaultRule {
        ops = Set.copyOf(ops.isEmpty() ? EnumSet.allOf(BioOp.class) : ops);
        if (rangeStart < 0 || rangeEnd <= rangeStart) {
            throw new IllegalArgumentException("fault rule address range [" + rangeStart + ", " + rangeEnd
                    + ") is empty or negative");
        }
        if ((trigger == Trigger.NTH || trigger == Trigger.EVERY) && n < 1) {
            throw new IllegalArgumentException("fault rule " + trigger + " needs a count >= 1, got " + n);
        }
        if (trigger == Trigger.RANDOM && !(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("fault rule probability must be within [0, 1], got " + probability);
        }
        if (action == Action.FAIL && errno <= 0) {
            throw new IllegalArgumentException("fault rule errno must be a positive errno such as Errno.EIO, got "
                    + errno);
        }
        if (action == Action.SHORT && shortBytes < 0) {
            throw new IllegalArgumentException("short transfer byte count must be >= 0, got " + shortBytes);
        }
        if (action == Action.DELAY && delayNanos <= 0) {
            throw new IllegalArgumentException("fault rule delay must be positive, got " + delayNanos + " ns");
        }
    }

    /** Whether the bio passes this rule's filter (operation, FUA, range); says nothing about the trigger. */
    boolean matches(Bio bio) {
        BioOp op = bio.op();
        if (!ops.contains(op)) {
            return false;
        }
        if (fuaOnly && (op != BioOp.WRITE || !bio.hasFlag(Bio.FUA))) {
            return false;
        }
        if (rangeEnd == Long.MAX_VALUE && rangeStart == 0) {
            return true;
        }
        return op != BioOp.FLUSH && bio.address() < rangeEnd && bio.address() + bio.length() > rangeStart;
    }

    /** Whether the {@code count}th matching bio (from 1) is hit. */
    boolean fires(long count) {
        return switch (trigger) {
            case ALWAYS -> true;
            case NTH -> count == n;
            case EVERY -> count % n == 0;
            // A hash of (seed, count) rather than a shared generator: the same matching bio is hit whatever thread
            // or timing got it there, and no generator state is contended.
            case RANDOM -> (mix(seed + count * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53 < probability;
        };
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(action);
        switch (action) {
            case FAIL -> sb.append(' ').append(Errno.name(errno));
            case SHORT -> sb.append(' ').append(shortBytes).append(" bytes");
            case DELAY -> sb.append(' ').append(Duration.ofNanos(delayNanos));
            case DISAPPEAR -> { }
        }
        sb.append(" on ").append(ops);
        if (fuaOnly) {
            sb.append(" FUA");
        }
        if (rangeStart != 0 || rangeEnd != Long.MAX_VALUE) {
            sb.append(" [").append(rangeStart).append(", ").append(rangeEnd).append(')');
        }
        return switch (trigger) {
            case ALWAYS -> sb.toString();
            case NTH -> sb.append(" #").append(n).toString();
            case EVERY -> sb.append(" every ").append(n).toString();
            case RANDOM -> sb.append(" p=").append(probability).append(" seed=").append(seed).toString();
        };
    }
}
