package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ring issuers in caller-completion mode write (aligned, sub-block, into holes, past EOF, O_DSYNC) while other
 * threads truncate, fallocate, clone and fsync the same files: every request ends, nothing deadlocks (each wait is
 * bounded), and the image checks clean after unmount.
 */
class ConcurrencyTest {
    private static final int BS = 4096;
    private static final int FILE = 256 * 1024;

    @Test
    void issuersAndDrainersOnTheSameFilesFinishAndLeaveACleanImage() throws Exception {
        try (BlockDevice dev = Devices.nvme("size=64m,vwc=on,queues=2")) {
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                List<OpenFile> files = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    files.add(m.open("/f" + i, OpenFile.CREATE));
                }
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    long seed = t;
                    work.add(pool.submit(() -> issue(files, seed)));
                }
                work.add(pool.submit(() -> drain(files, 7)));
                work.add(pool.submit(() -> drain(files, 8)));
                for (Future<?> f : work) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    private static Void issue(List<OpenFile> files, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        try (IoRing ring = IoRing.create(16, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(4 * BS, 4096);
            buf.fill((byte) (seed + 1));
            for (int i = 0; i < 1500; i++) {
                OpenFile f = files.get(r.nextInt(files.size()));
                int len = r.nextBoolean() ? BS * (1 + r.nextInt(4)) : 512 * (1 + r.nextInt(7));
                long pos = r.nextBoolean() ? (long) r.nextInt(FILE / BS) * BS : 512L * r.nextInt(FILE / 512);
                int flags = r.nextInt(8) == 0 ? IoRing.RWF_DSYNC : 0;
                ring.prepWrite(f, buf, 0, len, pos, flags, i);
                ring.submit();
                if (r.nextInt(4) == 0 || ring.inFlight() > 8) {
                    ring.waitCompletions(ring.inFlight());
                    ring.reap((user, res) -> assertThat(res).as("write %d", user).isGreaterThanOrEqualTo(0));
                }
            }
            while (ring.inFlight() > 0) {
                ring.waitCompletions(1);
                ring.reap((user, res) -> assertThat(res).as("write %d", user).isGreaterThanOrEqualTo(0));
            }
        }
        return null;
    }

    private static Void drain(List<OpenFile> files, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 400; i++) {
            OpenFile f = files.get(r.nextInt(files.size()));
            long off = (long) r.nextInt(FILE / BS) * BS;
            switch (r.nextInt(5)) {
                case 0 -> f.truncate((long) r.nextInt(FILE));
                case 1 -> f.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, off, 2 * BS);
                case 2 -> f.fallocate(Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, off, BS);
                case 3 -> {
                    OpenFile src = files.get(1 - files.indexOf(f));
                    long n = Math.min(4L * BS, src.size() / BS * BS);
                    try {
                        f.cloneFrom(src, 0, off, n);
                    } catch (JiomapException e) {
                        // The other drainer may have truncated the source in between: past its EOF is EINVAL.
                        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                    }
                }
                default -> f.fsync(r.nextBoolean());
            }
        }
        return null;
    }
}
