package io.jiomap.cli.fio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.core.CompletionMode;
import io.jiomap.core.OpenFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FioArgsTest {
    private static JobSpec onlyJob(String... args) {
        FioArgs parsed = FioArgs.parse(List.of(args));
        assertThat(parsed.jobs()).hasSize(1);
        return JobSpec.from(parsed.merged(parsed.jobs().getFirst()));
    }

    @Test
    void theSeedJobLineReadsAsFioReadsIt() {
        JobSpec s = onlyJob("--name=dio-write", "--filename=/f", "--size=1G", "--time_based=1", "--runtime=4",
                "--bs=4096", "--rw=randwrite", "--norandommap", "--buffered=0", "--ioengine=io_uring",
                "--iodepth=16");

        assertThat(s.name()).isEqualTo("dio-write");
        assertThat(s.filename()).isEqualTo("/f");
        assertThat(s.size()).isEqualTo(1L << 30);
        assertThat(s.timeBased()).isTrue();
        assertThat(s.runtimeNanos()).isEqualTo(4_000_000_000L);
        assertThat(s.blockSize()).isEqualTo(4096);
        assertThat(s.rw()).isEqualTo(JobSpec.Rw.RANDWRITE);
        assertThat(s.norandommap()).isTrue();
        assertThat(s.engine()).isEqualTo(JobSpec.Engine.IO_URING);
        assertThat(s.depth()).isEqualTo(16);
        assertThat(s.completion()).isEqualTo(CompletionMode.CALLER);
    }

    @Test
    void hipriAsksForAnIopollRingAndCallerPollIsACompletionMode() {
        JobSpec polled = onlyJob("--name=j", "--ioengine=io_uring", "--hipri");
        assertThat(polled.hipri()).isTrue();
        assertThat(onlyJob("--name=j", "--ioengine=io_uring").hipri()).isFalse();
        assertThat(onlyJob("--name=j", "--ioengine=io_uring", "--completion=caller+poll").completion())
                .isEqualTo(CompletionMode.CALLER_POLL);
        assertThatThrownBy(() -> onlyJob("--name=j", "--ioengine=psync", "--hipri"))
                .hasMessageContaining("hipri").hasMessageContaining("io_uring");
    }

    @Test
    void sizesAndTimesTakeSuffixes() {
        JobSpec s = onlyJob("--name=j", "--size=64m", "--bs=16k", "--runtime=1500ms");

        assertThat(s.size()).isEqualTo(64L << 20);
        assertThat(s.blockSize()).isEqualTo(16384);
        assertThat(s.runtimeNanos()).isEqualTo(1_500_000_000L);
        assertThat(onlyJob("--name=j", "--runtime=2m").runtimeNanos()).isEqualTo(120_000_000_000L);
        assertThat(onlyJob("--name=j", "--size=50%").sizePercent()).isEqualTo(50.0);
    }

    @Test
    void bareBooleansMeanOneAndZeroTurnsThemOff() {
        assertThat(onlyJob("--name=j", "--runtime=1", "--time_based").timeBased()).isTrue();
        assertThat(onlyJob("--name=j", "--runtime=1", "--time_based=0").timeBased()).isFalse();
        assertThat(onlyJob("--name=j", "--group_reporting").groupReporting()).isTrue();
        assertThat(onlyJob("--name=j").norandommap()).isFalse();
    }

    @Test
    void unknownOptionsAreAllNamedInOneError() {
        assertThatThrownBy(() -> FioArgs.parse(List.of("--name=j", "--bogus=1", "--rw=read", "--frobnicate")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown options: --bogus, --frobnicate");
        assertThatThrownBy(() -> FioArgs.parse(List.of("--name=j", "-x")))
                .hasMessageContaining("unknown option: -x");
    }

    @Test
    void eachNameStartsAJobAndOptionsBeforeTheFirstAreGlobal() {
        FioArgs parsed = FioArgs.parse(List.of("--bs=8k", "--ioengine=io_uring", "--name=a", "--rw=randwrite",
                "--name=b", "--rw=read", "--bs=16k", "--output-format=json"));

        assertThat(parsed.jobs()).hasSize(2);
        JobSpec a = JobSpec.from(parsed.merged(parsed.jobs().get(0)));
        JobSpec b = JobSpec.from(parsed.merged(parsed.jobs().get(1)));
        assertThat(a.name()).isEqualTo("a");
        assertThat(a.rw()).isEqualTo(JobSpec.Rw.RANDWRITE);
        assertThat(a.blockSize()).isEqualTo(8192);
        assertThat(b.name()).isEqualTo("b");
        assertThat(b.rw()).isEqualTo(JobSpec.Rw.READ);
        assertThat(b.blockSize()).isEqualTo(16384);
        assertThat(b.engine()).isEqualTo(JobSpec.Engine.IO_URING);
        assertThat(parsed.run()).containsEntry("output-format", "json");
    }

    @Test
    void noNameMeansNoJob() {
        assertThatThrownBy(() -> FioArgs.parse(List.of("--rw=read", "--size=1m")))
                .hasMessageContaining("no job defined: start one with --name=NAME");
    }

    @Test
    void aValueOptionGivenBareIsRefused() {
        assertThatThrownBy(() -> FioArgs.parse(List.of("--name=j", "--bs")))
                .hasMessageContaining("--bs needs a value");
    }

    @Test
    void bufferedIoIsRefusedBecauseJiomapIsDirectOnly() {
        assertThatThrownBy(() -> onlyJob("--name=j", "--direct=0"))
                .hasMessageContaining("job 'j': --direct=0: jiomap is direct-I/O only");
        assertThatThrownBy(() -> onlyJob("--name=j", "--buffered=1"))
                .hasMessageContaining("jiomap is direct-I/O only");
        assertThat(onlyJob("--name=j", "--direct=1").name()).isEqualTo("j");
    }

    @Test
    void syncModesMapToOpenFlags() {
        assertThat(onlyJob("--name=j", "--sync=dsync").openFlags()).isEqualTo(OpenFile.DSYNC);
        assertThat(onlyJob("--name=j", "--sync=1").openFlags()).isEqualTo(OpenFile.SYNC);
        assertThat(onlyJob("--name=j", "--sync=sync").openFlags()).isEqualTo(OpenFile.SYNC);
        assertThat(onlyJob("--name=j", "--sync=none").openFlags()).isZero();
        assertThatThrownBy(() -> onlyJob("--name=j", "--sync=maybe")).hasMessageContaining("--sync=maybe");
    }

    @Test
    void badValuesNameTheJobTheOptionAndWhatIsAllowed() {
        assertThatThrownBy(() -> onlyJob("--name=j", "--rw=sideways")).hasMessageContaining("job 'j': --rw=sideways")
                .hasMessageContaining("randwrite");
        assertThatThrownBy(() -> onlyJob("--name=j", "--ioengine=libfoo")).hasMessageContaining("io_uring, psync");
        assertThatThrownBy(() -> onlyJob("--name=j", "--verify=md5")).hasMessageContaining("crc32c");
        assertThatThrownBy(() -> onlyJob("--name=j", "--iodepth=0")).hasMessageContaining("--iodepth=0");
        assertThatThrownBy(() -> onlyJob("--name=j", "--time_based")).hasMessageContaining("needs a runtime");
        assertThatThrownBy(() -> onlyJob("--name=j", "--completion=later")).hasMessageContaining("workqueue");
        assertThatThrownBy(() -> onlyJob("--name=j", "--ioengine=null", "--verify=crc32c"))
                .hasMessageContaining("null engine moves no data");
    }

    @Test
    void percentileListReplacesTheDefaultSeventeen() {
        assertThat(onlyJob("--name=j").percentiles()).hasSize(17);
        assertThat(onlyJob("--name=j", "--percentile_list=99.9:50").percentiles()).containsExactly(50, 99.9);
    }

    @Test
    void mixPercentagesComeFromRwmixreadOrRwmixwrite() {
        assertThat(onlyJob("--name=j", "--rw=randrw").readPercent()).isEqualTo(50);
        assertThat(onlyJob("--name=j", "--rw=randrw", "--rwmixread=70").readPercent()).isEqualTo(70);
        assertThat(onlyJob("--name=j", "--rw=randrw", "--rwmixwrite=30").readPercent()).isEqualTo(70);
        assertThat(onlyJob("--name=j", "--rw=randwrite", "--rwmixread=70").readPercent()).isZero();
    }

    @Test
    void blockingEnginesRunAtDepthOneWhateverTheIodepth() {
        assertThat(onlyJob("--name=j", "--ioengine=psync", "--iodepth=32").depth()).isEqualTo(1);
        assertThat(onlyJob("--name=j", "--ioengine=null", "--iodepth=32").depth()).isEqualTo(32);
    }

    @Test
    void aJobFileHasAGlobalSectionAndOneSectionPerJob(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("seed.fio");
        Files.writeString(file, """
                ; the seed job
                [global]
                bs=4k
                ioengine=io_uring
                time_based
                runtime=2

                [dio-write]
                rw=randwrite
                iodepth=8
                """);

        FioArgs parsed = FioArgs.parse(List.of(file.toString(), "--bs=8k"));

        JobSpec s = JobSpec.from(parsed.merged(parsed.jobs().getFirst()));
        assertThat(s.name()).isEqualTo("dio-write");
        assertThat(s.blockSize()).isEqualTo(8192);
        assertThat(s.timeBased()).isTrue();
        assertThat(s.iodepth()).isEqualTo(8);
        assertThat(s.engine()).isEqualTo(JobSpec.Engine.IO_URING);
    }

    @Test
    void anUnknownOptionInAJobFileNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.fio");
        Files.writeString(file, "[j]\nrw=read\nwibble=3\n");

        assertThatThrownBy(() -> FioArgs.parse(List.of(file.toString())))
                .hasMessageContaining("wibble (" + file + ":3)");
    }
}
