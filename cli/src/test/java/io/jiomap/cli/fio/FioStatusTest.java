package io.jiomap.cli.fio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FioStatusTest {
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_000 * S;

    @Test
    void aTimeBasedJobIsDoneByTheShareOfItsRuntimeAndTheRatesCoverTheTimeSinceTheLastLine() {
        JobProgress job = new JobProgress('w', 0, 8 * S);
        FioStatus status = new FioStatus(List.of(job), T0);
        job.started(T0);
        job.publish(0, 0, 40_000, 40_000 * 4096L);

        assertThat(status.line(T0 + 2 * S))
                .isEqualTo("Jobs: 1 (f=1): [w(1)][25.0%][w=78.1MiB/s][w=20.0k IOPS][eta 00m:06s]");

        job.publish(0, 0, 41_000, 41_000 * 4096L);
        assertThat(status.line(T0 + 3 * S))
                .isEqualTo("Jobs: 1 (f=1): [w(1)][37.5%][w=4000KiB/s][w=1000 IOPS][eta 00m:05s]");
    }

    @Test
    void aSizeBoundJobIsDoneByItsBytesAndItsTimeLeftFollowsThePaceSoFar() {
        JobProgress job = new JobProgress('R', 1L << 30, 0);
        FioStatus status = new FioStatus(List.of(job), T0);
        job.started(T0);
        job.publish(65_536, 256L << 20, 0, 0);

        // A quarter of the bytes in 3s: 9s left, 3s of 12s done.
        assertThat(status.line(T0 + 3 * S))
                .isEqualTo("Jobs: 1 (f=1): [R(1)][25.0%][r=85.3MiB/s][r=21.8k IOPS][eta 00m:09s]");
    }

    @Test
    void aSizeBoundJobWithARuntimeEndsByWhicheverComesFirst() {
        JobProgress job = new JobProgress('w', 1L << 30, 4 * S);
        job.started(T0);
        job.publish(0, 0, 1, 256L << 20);

        assertThat(job.etaNanos(T0 + 3 * S)).isEqualTo(S);
        job.publish(0, 0, 1, 900L << 20);
        assertThat(job.etaNanos(T0 + 3 * S)).isLessThan(S).isPositive();
    }

    @Test
    void beforeAnyByteOfASizeBoundJobTheShareDoneAndTheTimeLeftAreUnknown() {
        JobProgress job = new JobProgress('W', 1L << 30, 0);
        FioStatus status = new FioStatus(List.of(job), T0);
        job.started(T0);

        assertThat(status.line(T0 + S)).isEqualTo("Jobs: 1 (f=1): [W(1)][-.-%][w=0B/s][w=0 IOPS][eta --]");
    }

    @Test
    void jobsInTheSameStateAreCondensedAndEndedJobsAreNotCounted() {
        JobProgress ended = new JobProgress('m', 0, 10 * S);
        JobProgress first = new JobProgress('m', 0, 10 * S);
        JobProgress second = new JobProgress('m', 0, 10 * S);
        JobProgress verifying = new JobProgress('w', 1L << 20, 0);
        FioStatus status = new FioStatus(List.of(ended, first, second), T0);
        for (JobProgress j : List.of(ended, first, second, verifying)) {
            j.started(T0);
        }
        ended.ended(false);
        first.publish(100, 409_600, 300, 1_228_800);

        assertThat(status.line(T0 + S))
                .isEqualTo("Jobs: 2 (f=2): [_(1),m(2)][10.0%][r=400KiB/s,w=1200KiB/s][r=100,w=300 IOPS][eta 00m:09s]");

        verifying.verifying();
        assertThat(new FioStatus(List.of(first, verifying), T0).line(T0 + S))
                .startsWith("Jobs: 2 (f=2): [m(1),V(1)][-.-%]").endsWith("[eta --]");
    }

    @Test
    void theTimeLeftIsWrittenAsFioWritesIt() {
        assertThat(FioStatus.eta(11 * S)).isEqualTo("00m:11s");
        assertThat(FioStatus.eta(0)).isEqualTo("00m:00s");
        assertThat(FioStatus.eta(3725 * S)).isEqualTo("01h:02m:05s");
        assertThat(FioStatus.eta((2 * 86_400 + 3725) * S)).isEqualTo("02d:01h:02m:05s");
    }

    @Test
    void ratesKeepAtMostFourDigits() {
        String[] bytes = {"B", "KiB", "MiB", "GiB"};
        assertThat(FioStatus.fioNumber(8152, 1000, new String[] {"", "k"})).isEqualTo("8152");
        assertThat(FioStatus.fioNumber(111_000, 1000, new String[] {"", "k"})).isEqualTo("111k");
        assertThat(FioStatus.fioNumber(434.6 * (1 << 20), 1024, bytes)).isEqualTo("435MiB");
        assertThat(FioStatus.fioNumber(31.8 * (1 << 20), 1024, bytes)).isEqualTo("31.8MiB");
        assertThat(FioStatus.fioNumber(1541.0 * (1 << 20), 1024, bytes)).isEqualTo("1541MiB");
        assertThat(FioStatus.fioNumber(512, 1024, bytes)).isEqualTo("512B");
    }
}
