package io.jiomap.cli.fio;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One of fio's per-job logs ({@code write_lat_log}, {@code write_iops_log}, {@code write_bw_log}): kept in memory
 * while the job runs, written when every job is done, one line per entry as fio 3.33 writes them:
 * {@code time_ms, value, direction, block_size, priority}, with the I/O's offset before the priority under
 * {@code log_offset}. Direction is 0 read, 1 write.
 *
 * <p>Without averaging every sample is an entry. With {@code log_avg_msec} the samples of each direction are averaged
 * over windows of that many milliseconds: an entry is written at the first sample past the window, with the window's
 * mean rounded, block size and offset 0; the next window starts at that time rounded down to a multiple of the
 * window; the windows still open when the job ends are written at its end.
 *
 * <p>Entries go into preallocated chunks of primitive arrays; a full chunk is followed by one twice its size (up to a
 * cap), so adding an entry allocates nothing except when a chunk fills. An entry is two longs (time, block size and
 * direction packed into one; the value), three with the offset: what it costs per I/O is mostly memory bandwidth.
 */
final class FioLog {
    private static final int FIRST_CHUNK = 4096;
    private static final int MAX_CHUNK = 1 << 18;
    /** fio's LOG_MSEC_SLACK: a rate sample less than this early still closes its window. */
    private static final long RATE_SLACK_MS = 1;

    private final long avgMsec;
    private final boolean withOffset;
    private final boolean rateSamples;
    private final int stride;
    private final List<long[]> chunks = new ArrayList<>();
    private long[] chunk;
    private int used;
    private long entries;
    /** Per direction: the open window's sample sum and count, and its start in ms. */
    private final long[] windowSum = new long[2];
    private final long[] windowCount = new long[2];
    private final long[] windowStart = new long[2];

    /**
     * @param avgMsec     log_avg_msec: 0 logs every sample
     * @param withOffset  log_offset: each entry carries the I/O's offset
     * @param rateSamples the samples are periodic IOPS or bandwidth rates (fio allows them {@value #RATE_SLACK_MS} ms
     *                    of slack when closing a window), not per-I/O latencies
     */
    FioLog(long avgMsec, boolean withOffset, boolean rateSamples) {
        this.avgMsec = avgMsec;
        this.withOffset = withOffset;
        this.rateSamples = rateSamples;
        this.stride = withOffset ? 3 : 2;
        this.chunk = new long[FIRST_CHUNK * stride];
        chunks.add(chunk);
    }

    /** One sample at {@code elapsedMs} since the job started. */
    void add(long elapsedMs, long value, int direction, long blockSize, long offset) {
        if (avgMsec == 0) {
            append(elapsedMs, value, direction, blockSize, offset);
            return;
        }
        windowSum[direction] += value;
        windowCount[direction]++;
        long since = elapsedMs - windowStart[direction];
        if (since < 0 || since < avgMsec && (!rateSamples || avgMsec - since > RATE_SLACK_MS)) {
            return;
        }
        close(direction, elapsedMs);
        windowStart[direction] = elapsedMs - elapsedMs % avgMsec;
    }

    /** The job ended at {@code elapsedMs}: the windows still holding samples become entries. */
    void finish(long elapsedMs) {
        for (int d = 0; d < windowCount.length; d++) {
            close(d, elapsedMs);
        }
    }

    long entries() {
        return entries;
    }

    private void close(int direction, long elapsedMs) {
        long n = windowCount[direction];
        if (n > 0) {
            append(elapsedMs, (long) ((double) windowSum[direction] / n + 0.5), direction, 0, 0);
        }
        windowSum[direction] = 0;
        windowCount[direction] = 0;
    }

    private void append(long time, long value, int direction, long blockSize, long offset) {
        if (used == chunk.length) {
            chunk = new long[Math.min(chunk.length / stride * 2, MAX_CHUNK) * stride];
            chunks.add(chunk);
            used = 0;
        }
        // Time in ms below 2^31 (24 days), block size at most 1 GiB: both fit one long with the direction bit.
        chunk[used] = time << 32 | blockSize << 1 | direction;
        chunk[used + 1] = value;
        if (withOffset) {
            chunk[used + 2] = offset;
        }
        used += stride;
        entries++;
    }

    /** Writes the entries to {@code file}, replacing it. */
    void write(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            StringBuilder line = new StringBuilder(64);
            for (int c = 0; c < chunks.size(); c++) {
                long[] data = chunks.get(c);
                int end = c == chunks.size() - 1 ? used : data.length;
                for (int i = 0; i < end; i += stride) {
                    long packed = data[i];
                    line.setLength(0);
                    line.append(packed >>> 32).append(", ").append(data[i + 1]).append(", ").append(packed & 1)
                            .append(", ").append((packed & 0xFFFF_FFFFL) >>> 1);
                    if (withOffset) {
                        line.append(", ").append(data[i + 2]);
                    }
                    // The I/O priority: jiomap sets none.
                    line.append(", 0\n");
                    w.append(line);
                }
            }
        }
    }
}
