package io.jiomap.cli.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.cli.CliRun;
import io.jiomap.cli.xfsio.XfsIo;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same xfs_io traces through jiomap's filesystems and through the kernel's XFS and ext4 on a loop device
 * (docs/tools.md, "Kernel differential check"): the files must hold the same bytes and FIEMAP must classify every block
 * below EOF the same way (hole, data, unwritten, shared). Block addresses and extent boundaries are the filesystems'
 * own business and are not compared. Skipped, with the reason, where loop mounts are not permitted.
 */
class KernelDifferentialTest {
    /** mkfs.xfs refuses filesystems under 300 MB; the image is sparse, so this costs no disk. */
    private static final long IMAGE = 512L << 20;

    /** One trace: per file, the xfs_io commands run on it, in order. {@code $MNT/} names another file. */
    record Trace(String name, Map<String, List<String>> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Trace trace(String name, Object... fileThenCommands) {
        Map<String, List<String>> steps = new LinkedHashMap<>();
        for (int i = 0; i < fileThenCommands.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> cmds = (List<String>) fileThenCommands[i + 1];
            steps.put((String) fileThenCommands[i], cmds);
        }
        return new Trace(name, steps);
    }

    static Stream<Arguments> traces() {
        List<Trace> common = List.of(
                trace("overwrite-punch-zero-extend", "/f", List.of("pwrite -S 0x11 0 64k", "fpunch 16k 8k",
                        "fzero 32k 8k", "pwrite -S 0x22 64k 8k", "truncate 100k")),
                trace("prealloc-write-inside-then-shrink", "/f", List.of("falloc 0 128k", "pwrite -S 0x33 8k 8k",
                        "fdatasync", "truncate 40k")),
                trace("sparse-file", "/f", List.of("truncate 64k", "pwrite -S 0x44 16k 4k", "pwrite -S 0x45 48k 8k")),
                trace("keep-size-prealloc-then-extend", "/f", List.of("pwrite -S 0x46 0 16k", "falloc -k 16k 32k",
                        "truncate 32k", "fsync")),
                trace("sub-block-writes-zero-around-them", "/f", List.of("pwrite -S 0x61 512 512",
                        "pwrite -S 0x62 8192 1024", "pwrite -S 0x63 4096 512", "fdatasync")),
                trace("truncate-down-mid-block-then-up", "/f", List.of("pwrite -S 0x71 0 16k", "truncate 5000",
                        "truncate 12k", "pwrite -S 0x72 12k 4k")),
                trace("keep-size-prealloc-then-writes-inside-and-past-eof", "/f", List.of("falloc -k 0 64k",
                        "pwrite -S 0x73 0 4k", "pwrite -S 0x74 32k 4k", "fzero 8k 4k", "fsync")));
        List<Trace> reflink = List.of(
                trace("clone-then-overwrite-one-block",
                        "/a", List.of("pwrite -S 0x51 0 64k"),
                        "/b", List.of("pwrite -S 0x52 0 64k", "reflink $MNT/a 0 0 32k", "pwrite -S 0x53 8k 4k")),
                trace("clone-whole-file-then-truncate-and-write",
                        "/a", List.of("pwrite -S 0x54 0 32k"),
                        "/b", List.of("reflink $MNT/a", "truncate 20k", "pwrite -S 0x55 4k 4k", "fpunch 12k 4k")));
        List<Arguments> all = new ArrayList<>();
        for (Trace t : common) {
            all.add(Arguments.of("xfs-like", t));
            all.add(Arguments.of("ext4-like", t));
        }
        for (Trace t : reflink) {
            all.add(Arguments.of("xfs-like", t));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("traces")
    void aTraceLeavesTheSameBytesAndExtentKindsAsOnTheKernelsFilesystem(String fsName, Trace trace,
                                                                        @TempDir Path dir) throws Exception {
        String[] mkfs = fsName.equals("xfs-like")
                ? new String[] {"mkfs.xfs", "-q", "-f", "-m", "reflink=1"}
                : new String[] {"mkfs.ext4", "-q", "-F", "-b", "4096"};
        String why = KernelFs.unavailableReason(mkfs[0]);
        Assumptions.assumeTrue(why == null, () -> "kernel " + mkfs[0] + " differential skipped: " + why);

        Map<String, Result> kernel = new LinkedHashMap<>();
        try (KernelFs k = KernelFs.mount(dir, IMAGE, mkfs)) {
            for (var step : trace.steps().entrySet()) {
                k.xfsIo(step.getKey(), step.getValue());
            }
            for (String file : trace.steps().keySet()) {
                byte[] bytes = Files.readAllBytes(k.path(file));
                String fiemap = KernelFs.run(List.of("xfs_io", "-c", "fiemap -v", k.path(file).toString()));
                kernel.put(file, new Result(bytes, BlockKinds.ofXfsIo(fiemap, bytes.length)));
            }
        }

        Map<String, Result> ours = runOnJiomap(fsName, trace);

        for (String file : trace.steps().keySet()) {
            Result k = kernel.get(file);
            Result j = ours.get(file);
            assertThat(j.bytes().length).as("%s size on %s vs kernel", file, fsName).isEqualTo(k.bytes().length);
            assertThat(j.kinds()).as("%s block kinds (D data, u unwritten, S shared, . hole) on %s vs kernel",
                    file, fsName).isEqualTo(k.kinds());
            int at = java.util.Arrays.mismatch(j.bytes(), k.bytes());
            assertThat(at).as("%s: first byte that differs on %s from the kernel's (-1: none); there %s has 0x%02x,"
                            + " the kernel 0x%02x", file, fsName, fsName, at < 0 ? 0 : j.bytes()[at] & 0xff,
                    at < 0 ? 0 : k.bytes()[at] & 0xff).isEqualTo(-1);
        }
    }

    record Result(byte[] bytes, String kinds) {
    }

    private static Map<String, Result> runOnJiomap(String fsName, Trace trace) throws Exception {
        FileSystemType type = CliRun.plugins().fileSystemType(fsName);
        Map<String, Result> out = new LinkedHashMap<>();
        try (BlockDevice dev = CliRun.plugins().deviceProvider("memory").open(DeviceSpec.parse("memory:size=256m"))) {
            Mount.mkfs(type, dev, Map.of());
            try (Mount mount = Mount.mount(type, dev, Mount.Options.defaults())) {
                StringWriter err = new StringWriter();
                try (XfsIo io = new XfsIo(mount, new PrintWriter(new StringWriter()), new PrintWriter(err))) {
                    for (var step : trace.steps().entrySet()) {
                        io.open(List.of("-f", "-d", step.getKey()));
                        for (String c : step.getValue()) {
                            io.run(c.replace("$MNT", ""));
                        }
                    }
                    assertThat(io.exitCode()).as("xfs_io errors on %s: %s", fsName, err).isZero();
                }
                for (String file : trace.steps().keySet()) {
                    OpenFile f = mount.open(file, 0);
                    out.put(file, new Result(contents(f), BlockKinds.of(f.fiemap(0, Long.MAX_VALUE), f.size())));
                }
            }
        }
        return out;
    }

    private static byte[] contents(OpenFile f) throws Exception {
        long size = f.size();
        long aligned = (size + 4095) / 4096 * 4096;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(Math.max(aligned, 4096), 4096);
            long n = aligned == 0 ? 0 : f.pread(buf, 0, aligned, 0);
            assertThat(n).as("bytes read back from %s", f.path()).isEqualTo(size);
            return buf.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE);
        }
    }
}
