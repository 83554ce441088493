package io.jiomap.cli.fio;

import static io.jiomap.cli.MiniJson.at;
import static io.jiomap.cli.MiniJson.number;
import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.MiniJson;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.core.OpenFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * fio runs end to end on the raw filesystem over the memory device. The device completes bios after a fixed delay
 * ({@code completion=delay}) where the tests count completion contexts: a write whose bio finished before the
 * submitter dropped its own reference completes in the submitter (docs/dio-contract.md, "TV4"), whatever the mode, so
 * the tests count {@code submitter} together with the mode's own context.
 */
class FioRunTest {
    private static final String DELAYED = "memory:size=64m,completion=delay,delay=100us";

    private static Object json(String... args) {
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        return run.json();
    }

    private static List<String> args(String... more) {
        List<String> l = new ArrayList<>(List.of("fio", "--output-format=json"));
        l.addAll(List.of(more));
        return l;
    }

    private static long counter(Object doc, String... path) {
        Object[] full = new Object[path.length + 1];
        full[0] = "jiomap";
        System.arraycopy(path, 0, full, 1, path.length);
        return (long) number(doc, full);
    }

    @Test
    void aJsonRunHasFiosShapeAndCountsCallerCompletionsForOverwrites() {
        Object doc = json(args("--name=seed", "--device=" + DELAYED, "--size=16m", "--bs=4k", "--rw=randwrite",
                "--norandommap", "--ioengine=io_uring", "--iodepth=8", "--runtime=300ms", "--time_based")
                .toArray(String[]::new));

        assertThat(((String) at(doc, "fio version"))).startsWith("jiomap-");
        assertThat(number(doc, "timestamp")).isPositive();
        assertThat(at(doc, "jobs", 0, "jobname")).isEqualTo("seed");
        assertThat(number(doc, "jobs", 0, "error")).isZero();
        assertThat(at(doc, "jobs", 0, "job options", "rw")).isEqualTo("randwrite");
        assertThat(number(doc, "jobs", 0, "write", "iops")).isPositive();
        long writes = (long) number(doc, "jobs", 0, "write", "total_ios");
        assertThat(writes).isPositive();
        assertThat(number(doc, "jobs", 0, "write", "io_bytes")).isEqualTo(writes * 4096.0);
        assertThat(number(doc, "jobs", 0, "read", "total_ios")).isZero();
        assertThat(number(doc, "jobs", 0, "write", "clat_ns", "N")).isEqualTo(writes);
        @SuppressWarnings("unchecked")
        Map<String, Object> percentiles = (Map<String, Object>) at(doc, "jobs", 0, "write", "clat_ns", "percentile");
        assertThat(percentiles.keySet()).hasSize(17).contains("1.000000", "50.000000", "99.990000");
        assertThat(at(doc, "jobs", 0, "sync", "total_ios")).isEqualTo(0L);
        assertThat(at(doc, "jiomap", "completion")).isEqualTo("caller");
        assertThat(at(doc, "jiomap", "fs")).isEqualTo("raw");
        assertThat(at(doc, "jiomap", "device")).isEqualTo(DELAYED);

        long caller = counter(doc, "completions", "caller");
        assertThat(caller).isPositive();
        assertThat(caller + counter(doc, "completions", "submitter")).isEqualTo(writes);
        assertThat(counter(doc, "completions", "workqueue")).isZero();
        assertThat(counter(doc, "completions", "inline")).isZero();
        assertThat(counter(doc, "data_bios")).isEqualTo(writes);
        assertThat(counter(doc, "zeroing_bios")).isZero();
    }

    @Test
    void workqueueCompletionPutsOverwriteCompletionsOnTheWorkqueue() {
        Object doc = json(args("--name=wq", "--device=" + DELAYED, "--size=8m", "--rw=randwrite",
                "--ioengine=io_uring", "--iodepth=4", "--completion=workqueue").toArray(String[]::new));

        long writes = (long) number(doc, "jobs", 0, "write", "total_ios");
        assertThat(writes).isEqualTo(8L * 1024 * 1024 / 4096);
        long workqueue = counter(doc, "completions", "workqueue");
        assertThat(workqueue).isPositive();
        assertThat(workqueue + counter(doc, "completions", "submitter")).isEqualTo(writes);
        assertThat(counter(doc, "completions", "caller")).isZero();
        assertThat(at(doc, "jiomap", "completion")).isEqualTo("workqueue");
    }

    @Test
    void dsyncOnADeviceWithFuaWritesEveryBlockWithFuaAndNoFlush() {
        Object doc = json(args("--name=fua", "--device=memory:size=64m,vwc=on,fua=on", "--size=4m",
                "--rw=randwrite", "--ioengine=io_uring", "--iodepth=4", "--sync=dsync").toArray(String[]::new));

        long writes = (long) number(doc, "jobs", 0, "write", "total_ios");
        assertThat(writes).isEqualTo(1024);
        assertThat(counter(doc, "fua_writes")).isEqualTo(writes);
        assertThat(counter(doc, "flushes")).isZero();
    }

    @Test
    void dsyncOnACachedDeviceWithoutFuaFlushesAfterEveryWriteAndNeverCompletesInTheCaller() {
        Object doc = json(args("--name=flush", "--device=memory:size=64m,vwc=on,fua=off", "--size=4m",
                "--rw=randwrite", "--ioengine=io_uring", "--iodepth=4", "--sync=dsync").toArray(String[]::new));

        long writes = (long) number(doc, "jobs", 0, "write", "total_ios");
        assertThat(writes).isEqualTo(1024);
        assertThat(counter(doc, "flushes")).isGreaterThanOrEqualTo(writes);
        assertThat(counter(doc, "fua_writes")).isZero();
        assertThat(counter(doc, "completions", "caller")).isZero();
    }

    @Test
    void verifyPassesOnAGoodRun() {
        CliRun run = CliRun.of("fio", "--name=v", "--size=8m", "--rw=randwrite", "--ioengine=io_uring",
                "--iodepth=8", "--verify=crc32c", "--numjobs=2", "--group_reporting");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("verify       : 4096 blocks, 0 errors");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void verifyWithNorandommapChecksTheLastWriteOfBlocksWrittenMoreThanOnce() {
        Object doc = json(args("--name=v", "--size=1m", "--rw=randwrite", "--norandommap", "--ioengine=io_uring",
                "--iodepth=16", "--verify=crc32c").toArray(String[]::new));

        // 256 independent draws over 256 blocks (fixed randseed) hit some blocks more than once.
        assertThat(number(doc, "jobs", 0, "write", "total_ios")).isEqualTo(256);
        assertThat(number(doc, "jobs", 0, "verify", "blocks")).isPositive().isLessThan(256);
        assertThat(number(doc, "jobs", 0, "verify", "errors")).isZero();
    }

    @Test
    void withoutNorandommapARandomJobWritesEveryBlockOfItsRegionExactlyOnce() {
        Object doc = json(args("--name=v", "--size=1m", "--rw=randwrite", "--ioengine=io_uring", "--iodepth=16",
                "--verify=crc32c").toArray(String[]::new));

        assertThat(number(doc, "jobs", 0, "write", "total_ios")).isEqualTo(256);
        assertThat(number(doc, "jobs", 0, "verify", "blocks")).isEqualTo(256);
        assertThat(number(doc, "jobs", 0, "verify", "errors")).isZero();
        // The counters cover the job's writes, not the verify reads after them.
        assertThat(counter(doc, "data_bios")).isEqualTo(256);
    }

    @Test
    void verifyDetectsAByteFlippedBehindTheJobsBack() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long[] corrupted = {-1};
        VerifyHook flipOneByte = (mount, target) -> {
            long pos = target.firstWrittenOffset();
            OpenFile other = mount.open(target.filename(), 0);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment block = arena.allocate(target.blockSize(), 4096);
                other.pread(block, 0, target.blockSize(), pos);
                block.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 100,
                        (byte) ~block.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 100));
                other.pwrite(block, 0, target.blockSize(), pos);
            }
            corrupted[0] = pos;
        };

        int code = new FioRunner(CliRun.plugins(), new PrintWriter(out), new PrintWriter(err), flipOneByte)
                .run(List.of("--name=v", "--size=4m", "--rw=randwrite", "--ioengine=io_uring", "--iodepth=4",
                        "--verify=crc32c", "--output-format=json"));

        assertThat(code).isEqualTo(1);
        assertThat(corrupted[0]).isNotNegative();
        assertThat(err.toString()).contains("verify failed in job 'v' at offset " + corrupted[0])
                .contains("crc32c mismatch");
        Object doc = MiniJson.parse(out.toString());
        assertThat(number(doc, "jobs", 0, "verify", "errors")).isEqualTo(1);
        assertThat(number(doc, "jobs", 0, "error")).isEqualTo(84);
    }

    @Test
    void verifyDetectsABlockOverwrittenWithOtherData() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        VerifyHook zeroBlock = (mount, target) -> {
            OpenFile other = mount.open(target.filename(), 0);
            try (Arena arena = Arena.ofShared()) {
                other.pwrite(arena.allocate(target.blockSize(), 4096), 0, target.blockSize(),
                        target.firstWrittenOffset());
            }
        };

        int code = new FioRunner(CliRun.plugins(), new PrintWriter(out), new PrintWriter(err), zeroBlock)
                .run(List.of("--name=v", "--size=1m", "--rw=write", "--verify=crc32c"));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("bad magic");
        assertThat(out.toString()).contains("verify       : 256 blocks, 1 errors");
    }

    @Test
    void psyncWritesBlockAtDepthOneAndCompleteWithoutTheRing() {
        Object doc = json(args("--name=p", "--size=2m", "--rw=write", "--ioengine=psync", "--iodepth=16")
                .toArray(String[]::new));

        long writes = (long) number(doc, "jobs", 0, "write", "total_ios");
        assertThat(writes).isEqualTo(512);
        assertThat(number(doc, "jobs", 0, "write", "slat_ns", "N")).isZero();
        assertThat(number(doc, "jobs", 0, "write", "clat_ns", "N")).isEqualTo(writes);
        assertThat(counter(doc, "completions", "waiter") + counter(doc, "completions", "submitter"))
                .isEqualTo(writes);
        assertThat(counter(doc, "completions", "caller") + counter(doc, "completions", "workqueue")).isZero();
        assertThat(at(doc, "jiomap", "completion")).isEqualTo("none (no io_uring job)");
    }

    @Test
    void psyncReadsAndWritesAMixAndFsyncsEveryFewWrites() {
        Object doc = json(args("--name=mix", "--size=2m", "--rw=randrw", "--rwmixread=50", "--ioengine=psync",
                "--fsync=4", "--device=memory:size=64m,vwc=on").toArray(String[]::new));

        long reads = (long) number(doc, "jobs", 0, "read", "total_ios");
        long writes = (long) number(doc, "jobs", 0, "write", "total_ios");
        assertThat(reads + writes).isEqualTo(512);
        assertThat(reads).isPositive();
        assertThat(writes).isPositive();
        assertThat(number(doc, "jobs", 0, "sync", "total_ios")).isEqualTo(writes / 4);
        assertThat(counter(doc, "flushes")).isGreaterThanOrEqualTo(writes / 4);
    }

    @Test
    void theNullEngineMovesNoData() {
        Object doc = json(args("--name=n", "--size=4m", "--rw=randread", "--ioengine=null", "--iodepth=8")
                .toArray(String[]::new));

        assertThat(number(doc, "jobs", 0, "read", "total_ios")).isEqualTo(1024);
        assertThat(number(doc, "jobs", 0, "read", "iops")).isPositive();
        assertThat(counter(doc, "data_bios")).isZero();
    }

    @Test
    void aMisalignedBlockSizeFailsWithEinvalNamingTheAlignmentLikeFiosIoUError() {
        CliRun run = CliRun.of("fio", "--name=bad", "--size=1m", "--bs=1000", "--rw=write", "--ioengine=io_uring",
                "--output-format=json");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("io_u error on file /jiomap.fio")
                .contains("EINVAL")
                .contains("not a multiple of the logical block size 512")
                .contains("write offset=0, buflen=1000");
        assertThat(number(run.json(), "jobs", 0, "error")).isEqualTo(22);
    }

    @Test
    void theNormalOutputLooksLikeFios() {
        CliRun run = CliRun.of("fio", "--name=dio-write", "--size=4m", "--rw=randwrite", "--bs=4k",
                "--ioengine=io_uring", "--iodepth=4");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("dio-write: (g=0): rw=randwrite, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B,"
                        + " ioengine=io_uring, iodepth=4")
                .contains("Starting 1 thread")
                .contains("dio-write: (groupid=0, jobs=1): err= 0")
                .contains("  write: IOPS=")
                .contains("clat percentiles")
                .contains("  cpu          : usr=")
                .contains("Run status group 0 (all jobs):")
                .contains("  WRITE: bw=")
                .contains("completions  : submitter=")
                .contains("device=memory:size=64m fs=raw completion=caller");
    }

    @Test
    void numjobsClonesGetTheirOwnRegionsAndReportSeparatelyWithoutGroupReporting() {
        Object doc = json(args("--name=c", "--size=1m", "--rw=write", "--numjobs=3", "--ioengine=io_uring")
                .toArray(String[]::new));

        assertThat((List<?>) at(doc, "jobs")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(number(doc, "jobs", i, "write", "total_ios")).isEqualTo(256);
        }
        assertThat(counter(doc, "data_bios")).isEqualTo(768);
    }

    @Test
    void aDeviceTooSmallForTheRegionsIsRefusedClearly() {
        CliRun run = CliRun.of("fio", "--name=big", "--size=8m", "--numjobs=2", "--device=memory:size=8m",
                "--rw=write");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("laying out /jiomap.fio to 16777216 bytes").contains("ENOSPC");
    }

    @Test
    void anUnknownDeviceTypeOrFilesystemIsNamedWithTheAvailableOnes() {
        CliRun device = CliRun.of("fio", "--name=j", "--size=1m", "--device=floppy:size=1m");
        CliRun fs = CliRun.of("fio", "--name=j", "--size=1m", "--fs=zfs");

        assertThat(device.exitCode()).isNotZero();
        assertThat(device.err()).contains("unknown device type 'floppy'; available: file, memory");
        assertThat(fs.exitCode()).isNotZero();
        assertThat(fs.err()).contains("unknown filesystem type 'zfs'; available: ext4-like, raw, xfs-like");
    }

    @Test
    void anUnknownOptionExitsWithTwoNamingIt() {
        CliRun run = CliRun.of("fio", "--name=j", "--size=1m", "--bogus_option=3");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown option: --bogus_option");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aWriteJobOnANewXfsLikeFileIsPreallocatedSoItsFirstWritesConvertUnwrittenOnTheWorkqueue() {
        // fio lays out a write job's file with fallocate unless overwrite=1: every block starts unwritten, so
        // without norandommap each write is a first write and completes on the workqueue (conversion at end_io).
        Object doc = json(args("--name=first", "--fs=xfs-like", "--device=" + DELAYED, "--size=4m", "--bs=4k",
                "--rw=randwrite", "--ioengine=io_uring", "--iodepth=8").toArray(String[]::new));
        long writes = (long) number(doc, "jobs", 0, "write", "total_ios");

        assertThat(writes).isEqualTo(1024);
        assertThat(counter(doc, "completions", "caller")).isZero();
        assertThat(counter(doc, "completions", "workqueue") + counter(doc, "completions", "submitter"))
                .isEqualTo(writes);
    }

    @Test
    void withOverwriteTheFileIsWrittenFirstSoEveryWriteIsAPureOverwriteCompletedByTheCaller() {
        Object doc = json(args("--name=over", "--fs=xfs-like", "--overwrite=1", "--device=" + DELAYED, "--size=4m",
                "--bs=4k", "--rw=randwrite", "--ioengine=io_uring", "--iodepth=8").toArray(String[]::new));
        long writes = (long) number(doc, "jobs", 0, "write", "total_ios");

        assertThat(counter(doc, "completions", "workqueue")).isZero();
        assertThat(counter(doc, "completions", "caller") + counter(doc, "completions", "submitter"))
                .isEqualTo(writes);
    }

    @Test
    void fileAppendWritesPastTheEndSoTheFileGrowsByTheJobsSize() {
        Object doc = json(args("--name=append", "--fs=ext4-like", "--file_append=1", "--device=" + DELAYED,
                "--size=1m", "--bs=64k", "--rw=write", "--ioengine=psync").toArray(String[]::new));

        assertThat(number(doc, "jobs", 0, "write", "total_ios")).isEqualTo(16.0);
        // Every write extends the file: ext4 allocates it written and waits for the size update (FORCE_WAIT).
        assertThat(counter(doc, "completions", "caller")).isZero();
        assertThat(counter(doc, "completions", "waiter") + counter(doc, "completions", "submitter")).isEqualTo(16);
    }

    @Test
    void anUnknownFallocateModeIsRefusedNamingTheKnownOnes() {
        CliRun run = CliRun.of("fio", "--name=j", "--size=1m", "--rw=randwrite", "--fallocate=magic");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("'magic' is not one of native, posix, keep, none, truncate, 0, 1");
    }
}
