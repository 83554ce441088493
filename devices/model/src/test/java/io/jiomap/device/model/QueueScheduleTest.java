package io.jiomap.device.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BioOp;
import org.junit.jupiter.api.Test;

class QueueScheduleTest {
    private static final ServiceTime MODEL = new ServiceTime(10_000, 50_000, 1L << 30);

    @Test
    void latenciesOverlapButTransfersAndCompletionsStayInOrder() {
        QueueSchedule t = new QueueSchedule(MODEL, false);

        long first = t.due(0, 0, BioOp.WRITE, 4096);
        long second = t.due(1_000, 1_000, BioOp.WRITE, 4096);

        long transfer = MODEL.transferNanos(4096);
        assertThat(transfer).isEqualTo(3815);
        assertThat(first).isEqualTo(10_000 + transfer);
        assertThat(second).as("its latency overlapped the first's").isEqualTo(first + transfer);
    }

    @Test
    void aDiscardCostsACommandsLatencyButNoTransferAndCompletesInOrder() {
        QueueSchedule t = new QueueSchedule(MODEL, false);

        long write = t.due(0, 0, BioOp.WRITE, 4096);
        long discard = t.due(0, 0, BioOp.DISCARD, 1 << 30);

        assertThat(discard).as("a gibibyte moves no data").isEqualTo(Math.max(write, 10_000));
        assertThat(t.due(20_000, 20_000, BioOp.DISCARD, 4096)).isEqualTo(30_000);
    }

    @Test
    void queuedFlushOverlapsTheCommandsAheadOfIt() {
        QueueSchedule t = new QueueSchedule(MODEL, false);
        long write = t.due(0, 0, BioOp.WRITE, 0);

        long flush = t.due(0, 0, BioOp.FLUSH, 0);
        long next = t.due(0, 0, BioOp.WRITE, 0);

        assertThat(write).isEqualTo(10_000);
        assertThat(flush).isEqualTo(50_000);
        assertThat(next).as("behind the flush only in completion order").isEqualTo(50_000);
    }

    @Test
    void drainingFlushStartsWhenTheCommandsAheadCompletedAndHoldsBackTheOnesBehindUntilItCompleted() {
        QueueSchedule t = new QueueSchedule(MODEL, true);
        long write = t.due(0, 0, BioOp.WRITE, 0);

        long flush = t.due(0, write + 700, BioOp.FLUSH, 0);
        t.flushCompleted(flush + 300);
        long next = t.due(0, flush + 400, BioOp.WRITE, 0);

        assertThat(write).isEqualTo(10_000);
        assertThat(flush).as("from when the write really completed").isEqualTo(write + 700 + 50_000);
        assertThat(next).as("from when the flush really completed").isEqualTo(flush + 300 + 10_000);
    }
}
