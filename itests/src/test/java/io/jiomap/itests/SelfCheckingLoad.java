package io.jiomap.itests;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Writers that keep overwriting their own blocks of one raw file with self-describing contents (block number,
 * generation, and a pattern derived from both), through whatever mount a {@link MountSlot} holds. A write that fails
 * with a clean error (the mount or the device went away) makes its writer wait for the next mount and go on; any other
 * error is recorded. A ledger keeps, per block, the newest generation acknowledged and the newest submitted, so
 * {@link #verify} can tell a lost acknowledged write from a write that failed but landed anyway.
 */
final class SelfCheckingLoad {
    static final int BLOCK = 4096;
    static final String PATH = "/disk";
    /**
     * What a writer may see while its mount or device goes away (docs/design-rules.md, "Rule 3"): never a hang, never
     * EFAULT.
     */
    static final List<Integer> CLEAN_ERRORS = List.of(Errno.ENODEV, Errno.ESHUTDOWN);

    /** How a writer writes. */
    enum Style {
        /** O_DSYNC pwrite: each acknowledged write is durable when it completes. */
        DSYNC,
        /** pwrite, and fdatasync after every fourth. */
        FSYNC,
        /** Batches of eight through an IoRing in CALLER mode: deferred completions pending when a plugin goes. */
        RING
    }

    private static final int RING_BATCH = 8;
    private static final Duration STOP_BOUND = Duration.ofSeconds(20);

    private final MountSlot slot;
    private final int blocksPerWriter;
    private final AtomicLongArray acked;
    private final AtomicLongArray submitted;
    private final AtomicLong ackedWrites = new AtomicLong();
    private final Map<String, AtomicLong> cleanFailures = new ConcurrentHashMap<>();
    private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    private SelfCheckingLoad(MountSlot slot, int writers, int blocksPerWriter) {
        this.slot = slot;
        this.blocksPerWriter = blocksPerWriter;
        this.acked = new AtomicLongArray(writers * blocksPerWriter);
        this.submitted = new AtomicLongArray(writers * blocksPerWriter);
    }

    /** Starts one writer thread per style, each on its own {@code blocksPerWriter} blocks. */
    static SelfCheckingLoad start(MountSlot slot, List<Style> styles, int blocksPerWriter) {
        SelfCheckingLoad load = new SelfCheckingLoad(slot, styles.size(), blocksPerWriter);
        for (int w = 0; w < styles.size(); w++) {
            Style style = styles.get(w);
            int first = w * blocksPerWriter;
            load.threads.add(Thread.ofPlatform().name("load-" + style + "-" + w).start(() -> load.run(style, first)));
        }
        return load;
    }

    long ackedWrites() {
        return ackedWrites.get();
    }

    /** Clean failures seen, by errno name. */
    Map<String, Long> cleanFailures() {
        Map<String, Long> out = new TreeMap<>();
        cleanFailures.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    List<String> unexpectedErrors() {
        return List.copyOf(unexpected);
    }

    /** Stops the writers and waits for them; a writer that does not end in time is reported as stuck. */
    void stop() throws InterruptedException {
        stopping = true;
        slot.close();
        for (Thread t : threads) {
            if (!t.join(STOP_BOUND)) {
                unexpected.add(t.getName() + " did not stop within " + STOP_BOUND.toSeconds() + " s: "
                        + List.of(t.getStackTrace()));
            }
        }
    }

    /**
     * Reads every block back through {@code file} and returns what is wrong: a block whose contents are not a block
     * this load wrote there, older than its newest acknowledged write, or newer than anything submitted.
     */
    List<String> verify(OpenFile file) throws JiomapException {
        List<String> problems = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(BLOCK, BLOCK);
            MemorySegment expected = arena.allocate(BLOCK, BLOCK);
            for (int b = 0; b < acked.length(); b++) {
                file.pread(buf, 0, BLOCK, (long) b * BLOCK);
                long gen = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, Long.BYTES);
                long ack = acked.get(b);
                long sub = submitted.get(b);
                if (gen == 0 && ack == 0) {
                    continue;
                }
                fill(expected, 0, b, gen);
                if (buf.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != b || MemorySegment.mismatch(buf, 0, BLOCK,
                        expected, 0, BLOCK) != -1) {
                    problems.add("block " + b + ": not a block this load wrote there (acknowledged generation "
                            + ack + ")");
                } else if (gen < ack) {
                    problems.add("block " + b + ": generation " + gen + " but generation " + ack
                            + " was acknowledged: an acknowledged write was lost");
                } else if (gen > sub) {
                    problems.add("block " + b + ": generation " + gen + " was never submitted (newest " + sub + ")");
                }
            }
        }
        return problems;
    }

    private void run(Style style, int first) {
        try (Arena arena = Arena.ofShared()) {
            MountSlot.Mounted m = slot.current();
            long[] generation = new long[blocksPerWriter];
            int cursor = 0;
            IoRing ring = style == Style.RING ? IoRing.create(RING_BATCH, CompletionMode.CALLER) : null;
            try {
                MemorySegment buf = ring != null ? ring.allocateBuffer((long) RING_BATCH * BLOCK, BLOCK)
                        : arena.allocate(BLOCK, BLOCK);
                int sinceSync = 0;
                while (!stopping && m != null) {
                    boolean failed;
                    try {
                        OpenFile file = m.mount().open(PATH, style == Style.DSYNC ? OpenFile.DSYNC : 0);
                        failed = false;
                        while (!stopping && !failed) {
                            if (ring != null) {
                                failed = ringBatch(ring, file, buf, first, generation, cursor);
                                cursor = (cursor + RING_BATCH) % blocksPerWriter;
                            } else {
                                int b = first + cursor;
                                long gen = ++generation[cursor];
                                submitted.set(b, gen);
                                fill(buf, 0, b, gen);
                                file.pwrite(buf, 0, BLOCK, (long) b * BLOCK);
                                acknowledge(b, gen);
                                cursor = (cursor + 1) % blocksPerWriter;
                            }
                            if (!failed && style != Style.DSYNC && ++sinceSync == 4) {
                                sinceSync = 0;
                                file.fsync(true);
                            }
                        }
                    } catch (JiomapException e) {
                        classify(e.errno(), e.getMessage());
                        failed = true;
                    }
                    if (failed) {
                        m = slot.after(m.epoch());
                    }
                }
            } finally {
                if (ring != null) {
                    ring.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            unexpected.add(Thread.currentThread().getName() + " crashed: " + e);
        }
    }

    /** One batch of writes through the ring. @return whether any failed (cleanly or not) */
    private boolean ringBatch(IoRing ring, OpenFile file, MemorySegment buf, int first, long[] generation,
                              int cursor) {
        int[] blocks = new int[RING_BATCH];
        long[] gens = new long[RING_BATCH];
        for (int k = 0; k < RING_BATCH; k++) {
            int c = (cursor + k) % blocksPerWriter;
            blocks[k] = first + c;
            gens[k] = ++generation[c];
            submitted.set(blocks[k], gens[k]);
            fill(buf, (long) k * BLOCK, blocks[k], gens[k]);
            ring.prepWrite(file, buf, (long) k * BLOCK, BLOCK, (long) blocks[k] * BLOCK, 0, k);
        }
        ring.submit();
        int reaped = 0;
        boolean[] failed = {false};
        while (reaped < RING_BATCH) {
            ring.waitCompletions(RING_BATCH - reaped);
            reaped += ring.reap((user, result) -> {
                int k = (int) user;
                if (result == BLOCK) {
                    acknowledge(blocks[k], gens[k]);
                } else {
                    classify((int) -result, "ring write of block " + blocks[k] + " returned " + result);
                    failed[0] = true;
                }
            });
        }
        return failed[0];
    }

    private void acknowledge(int block, long gen) {
        acked.accumulateAndGet(block, gen, Math::max);
        ackedWrites.incrementAndGet();
    }

    private void classify(int errno, String message) {
        if (CLEAN_ERRORS.contains(errno)) {
            cleanFailures.computeIfAbsent(Errno.name(errno), k -> new AtomicLong()).incrementAndGet();
        } else {
            unexpected.add(Thread.currentThread().getName() + ": " + message);
        }
    }

    /** Block {@code block}'s contents at generation {@code gen}: both numbers first, then a pattern of both. */
    static void fill(MemorySegment buf, long offset, int block, long gen) {
        buf.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, block);
        buf.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + Long.BYTES, gen);
        long seed = block * 0x9E3779B97F4A7C15L ^ gen * 0xC2B2AE3D27D4EB4FL;
        for (int i = 2 * Long.BYTES; i < BLOCK; i += Long.BYTES) {
            seed ^= seed << 13;
            seed ^= seed >>> 7;
            seed ^= seed << 17;
            buf.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + i, seed);
        }
    }
}
