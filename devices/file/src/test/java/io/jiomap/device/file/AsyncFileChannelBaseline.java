package io.jiomap.device.file;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline a Java user has today: the JDK's AsynchronousFileChannel opened with ExtendedOpenOption.DIRECT,
 * keeping QD random 4 KiB writes outstanding for a fixed time, each completion issuing the next write. On Linux the
 * channel is a thread-pool emulation (one blocking pwrite per pool thread), so the pool has QD threads: its best
 * case. Prints one line: {@code qd=.. pool=.. seconds=.. writes=.. iops=..}.
 *
 * <pre>java -cp devices/file/target/test-classes io.jiomap.device.file.AsyncFileChannelBaseline FILE QD SECONDS</pre>
 */
public final class AsyncFileChannelBaseline {
    private static final int BLOCK = 4096;

    private AsyncFileChannelBaseline() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int qd = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        OpenOption direct = (OpenOption) Class.forName("com.sun.nio.file.ExtendedOpenOption").getField("DIRECT")
                .get(null);
        ExecutorService pool = Executors.newFixedThreadPool(qd);
        try (AsynchronousFileChannel channel = AsynchronousFileChannel.open(file,
                Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, direct), pool)) {
            long blocks = channel.size() / BLOCK;
            AtomicLong completed = new AtomicLong();
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            Writer[] writers = new Writer[qd];
            long start = System.nanoTime();
            for (int i = 0; i < qd; i++) {
                writers[i] = new Writer(channel, blocks, i + 1, completed, deadline);
                writers[i].next();
            }
            for (Writer w : writers) {
                w.done.acquireUninterruptibly();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("qd=%d pool=%d seconds=%.2f writes=%d iops=%.0f%n", qd, qd, elapsed, completed.get(),
                    completed.get() / elapsed);
        } finally {
            pool.shutdown();
        }
    }

    /** One outstanding write slot: its own aligned buffer and random sequence. */
    private static final class Writer implements CompletionHandler<Integer, Void> {
        private final AsynchronousFileChannel channel;
        private final long blocks;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).limit(BLOCK);
        private final AtomicLong completed;
        private final long deadline;
        private final java.util.concurrent.Semaphore done = new java.util.concurrent.Semaphore(0);
        private long seed;

        Writer(AsynchronousFileChannel channel, long blocks, long seed, AtomicLong completed, long deadline) {
            this.channel = channel;
            this.blocks = blocks;
            this.seed = seed * 0x9E3779B97F4A7C15L;
            this.completed = completed;
            this.deadline = deadline;
        }

        void next() {
            seed ^= seed << 13;
            seed ^= seed >>> 7;
            seed ^= seed << 17;
            buffer.clear().limit(BLOCK);
            channel.write(buffer, Math.floorMod(seed, blocks) * BLOCK, null, this);
        }

        @Override
        public void completed(Integer written, Void attachment) {
            completed.incrementAndGet();
            if (System.nanoTime() < deadline) {
                next();
            } else {
                done.release();
            }
        }

        @Override
        public void failed(Throwable e, Void attachment) {
            e.printStackTrace();
            done.release();
        }
    }
}
