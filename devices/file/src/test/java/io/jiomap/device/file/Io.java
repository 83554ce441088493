package io.jiomap.device.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Test fixture: a scratch directory under the module's {@code target} (O_DIRECT needs a real filesystem; Jimfs and
 * tmpfs-less sandboxes cannot give it), devices opened on files there (closed at the end), 4096-aligned shared
 * off-heap buffers (shared, because the ring thread hands their addresses to the kernel), synchronous I/O.
 */
final class Io implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final List<FileDevice> devices = new ArrayList<>();
    private final Path dir;

    Io() {
        try {
            Path target = Path.of("target");
            Files.createDirectories(target);
            dir = Files.createTempDirectory(target.toAbsolutePath(), "file-device-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** Opens {@code file:path=<dir>/<name>,<options>}. */
    FileDevice open(String name, String options) throws Exception {
        String spec = "file:path=" + file(name) + (options.isEmpty() ? "" : "," + options);
        FileDevice device = new FileDeviceProvider().open(DeviceSpec.parse(spec));
        devices.add(device);
        return device;
    }

    MemorySegment buffer(long size) {
        return arena.allocate(size, 4096);
    }

    /** A buffer filled with bytes that differ per offset and per seed, so misplaced data shows. */
    MemorySegment pattern(long size, int seed) {
        MemorySegment s = buffer(size);
        for (long i = 0; i < size; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed * 17 + (i >>> 9)));
        }
        return s;
    }

    static int write(BlockDevice device, long address, MemorySegment src) {
        return submitAndAwait(device, BioOp.WRITE, 0, address, src, 0, (int) src.byteSize());
    }

    static int write(BlockDevice device, int flags, long address, MemorySegment src) {
        return submitAndAwait(device, BioOp.WRITE, flags, address, src, 0, (int) src.byteSize());
    }

    static int read(BlockDevice device, long address, MemorySegment dst) {
        return submitAndAwait(device, BioOp.READ, 0, address, dst, 0, (int) dst.byteSize());
    }

    byte[] readBytes(BlockDevice device, long address, int length) {
        MemorySegment dst = buffer(length);
        dst.fill((byte) 0x5A);
        assertThat(read(device, address, dst)).as("read at %d", address).isZero();
        return dst.toArray(ValueLayout.JAVA_BYTE);
    }

    static int flush(BlockDevice device) {
        Probe probe = new Probe();
        probe.bio.setFlush(0, probe, null);
        device.submit(probe.bio);
        return probe.awaitStatus();
    }

    static int submitAndAwait(BlockDevice device, BioOp op, int flags, long address, MemorySegment segment,
                              long segmentOffset, int length) {
        Probe probe = new Probe();
        probe.bio.set(op, flags, address, segment, segmentOffset, length, probe, null);
        device.submit(probe.bio);
        return probe.awaitStatus();
    }

    static byte[] bytes(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Awaitility tuned for I/O: polls every millisecond from the start, gives up after ten seconds. */
    static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInSameThread()
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
    }

    @Override
    public void close() {
        for (FileDevice device : devices) {
            device.close();
        }
        arena.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bio with a completion that records its status, thread and how often it ended. */
    static final class Probe implements BioEndIo {
        final Bio bio = new Bio();
        private final AtomicInteger completions = new AtomicInteger();
        private volatile int status = -1;
        private volatile Thread thread;

        @Override
        public void endIo(Bio b) {
            thread = Thread.currentThread();
            status = b.status();
            completions.incrementAndGet();
        }

        boolean isDone() {
            return completions.get() > 0;
        }

        int awaitStatus() {
            eventually().until(this::isDone);
            assertThat(completions.get()).as("completions of %s", bio).isEqualTo(1);
            return status;
        }

        int completions() {
            return completions.get();
        }

        Thread thread() {
            return thread;
        }
    }
}
