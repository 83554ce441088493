package io.jiomap.device.toolkit.fault;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BioOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable, ordered set of {@link FaultRule}s, built fluently:
 *
 * <pre>{@code
 * FaultRules rules = FaultRules.builder()
 *         .on(BioOp.WRITE).nth(3).fail(Errno.EIO)              // the third write fails
 *         .on(BioOp.READ).range(0, 4096).fail(Errno.EIO)         // every read of the first 4 KiB fails
 *         .onWrites().fuaOnly().every(2).delay(Duration.ofMillis(5))
 *         .onAny().random(0.01, 42).shortTransfer(512)
 *         .disappearAfter(1000)                                  // the device goes away at the 1001st bio
 *         .build();
 * }</pre>
 *
 * <p>How rules combine on one bio: every rule counts every bio that passes its filter; the added latencies of all
 * DELAY rules that hit are summed, and the first FAIL, SHORT or DISAPPEAR rule (in the order they were added) that
 * hits decides the outcome; later ones still count the bio but do nothing to it.
 */
public final class FaultRules {
    private static final FaultRules NONE = new FaultRules(List.of());

    private final List<FaultRule> rules;

    private FaultRules(List<FaultRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** No faults: every bio passes through unchanged. */
    public static FaultRules none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The rules in the order they were added. */
    public List<FaultRule> rules() {
        return rules;
    }

    @Override
    public String toString() {
        return rules.toString();
    }

    /** Collects rules; each {@code on...()} starts one rule, which its action method ends. */
    public static final class Builder {
        private final List<FaultRule> rules = new ArrayList<>();

        private Builder() {
        }

        /** Starts a rule looking at the given operations (none given: all). */
        public RuleBuilder on(BioOp... ops) {
            return new RuleBuilder(this, ops.length == 0 ? EnumSet.allOf(BioOp.class) : EnumSet.of(ops[0], ops));
        }

        public RuleBuilder onReads() {
            return on(BioOp.READ);
        }

        public RuleBuilder onWrites() {
            return on(BioOp.WRITE);
        }

        public RuleBuilder onFlushes() {
            return on(BioOp.FLUSH);
        }

        public RuleBuilder onAny() {
            return on();
        }

        /** Adds a finished rule. */
        public Builder add(FaultRule rule) {
            rules.add(rule);
            return this;
        }

        /**
         * The device goes away when the {@code bios + 1}th bio is submitted: the first {@code bios} bios are passed
         * on, then that bio, every bio still in flight and every later bio end with ENODEV.
         */
        public Builder disappearAfter(long bios) {
            if (bios < 0) {
                throw new IllegalArgumentException("disappearAfter needs a bio count >= 0, got " + bios);
            }
            return onAny().nth(bios + 1).disappear();
        }

        public FaultRules build() {
            return new FaultRules(rules);
        }
    }

    /** One rule being built: filters and trigger first, then exactly one action, which returns the rule set builder. */
    public static final class RuleBuilder {
        private final Builder parent;
        private final Set<BioOp> ops;
        private boolean fuaOnly;
        private long rangeStart;
        private long rangeEnd = Long.MAX_VALUE;
        private FaultRule.Trigger trigger = FaultRule.Trigger.ALWAYS;
        private long n;
        private double probability;
        private long seed;

        private RuleBuilder(Builder parent, Set<BioOp> ops) {
            this.parent = parent;
            this.ops = ops;
        }

        /** Only writes carrying FUA. */
        public RuleBuilder fuaOnly() {
            this.fuaOnly = true;
            return this;
        }

        /** Only bios overlapping device bytes {@code [start, end)}; flushes never match a range. */
        public RuleBuilder range(long start, long end) {
            this.rangeStart = start;
            this.rangeEnd = end;
            return this;
        }

        /** Only the {@code n}th matching bio, counting from 1. */
        public RuleBuilder nth(long n) {
            return trigger(FaultRule.Trigger.NTH, n);
        }

        /** The {@code k}th, {@code 2k}th... matching bio. */
        public RuleBuilder every(long k) {
            return trigger(FaultRule.Trigger.EVERY, k);
        }

        /** Each matching bio with probability {@code p}; the same seed hits the same matching bios. */
        public RuleBuilder random(double p, long seed) {
            this.trigger = FaultRule.Trigger.RANDOM;
            this.probability = p;
            this.seed = seed;
            return this;
        }

        private RuleBuilder trigger(FaultRule.Trigger trigger, long n) {
            this.trigger = trigger;
            this.n = n;
            return this;
        }

        /** Hit bios complete with {@code errno} (positive, e.g. {@link Errno#EIO}) and never reach the device. */
        public Builder fail(int errno) {
            return finish(FaultRule.Action.FAIL, errno, 0, 0);
        }

        /** Hit bios fail with EIO after only their first {@code bytes} reached the device ({@link FaultRule.Action#SHORT}). */
        public Builder shortTransfer(int bytes) {
            return finish(FaultRule.Action.SHORT, Errno.EIO, bytes, 0);
        }

        /** Hit bios complete no earlier than {@code latency} after their submission. */
        public Builder delay(Duration latency) {
            return finish(FaultRule.Action.DELAY, 0, 0, latency.toNanos());
        }

        /** The first hit bio makes the device disappear ({@link FaultyDevice#disappear()}). */
        public Builder disappear() {
            return finish(FaultRule.Action.DISAPPEAR, Errno.ENODEV, 0, 0);
        }

        private Builder finish(FaultRule.Action action, int errno, int shortBytes, long delayNanos) {
            return parent.add(new FaultRule(ops, fuaOnly, rangeStart, rangeEnd, trigger, n, probability, seed, action,
                    errno, shortBytes, delayNanos));
        }
    }
}
