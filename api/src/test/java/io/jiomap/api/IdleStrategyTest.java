package io.jiomap.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class IdleStrategyTest {
    @Test
    void consumerWithNoWorkSpinsYieldsThenParksCountingTheSleepAndAWakeEndsIt() throws InterruptedException {
        AtomicBoolean work = new AtomicBoolean();
        AtomicInteger rounds = new AtomicInteger();
        IdleStrategy[] idle = new IdleStrategy[1];
        Thread consumer = new Thread(() -> {
            while (!work.get()) {
                idle[0].idle(0);
                rounds.incrementAndGet();
            }
        });
        idle[0] = new IdleStrategy(consumer, work::get);
        consumer.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> idle[0].sleeps() >= 1
                && consumer.getState() == Thread.State.WAITING);
        long sleeps = idle[0].sleeps();
        work.set(true);
        idle[0].wake();
        consumer.join(Duration.ofSeconds(10).toMillis());

        assertThat(consumer.isAlive()).isFalse();
        assertThat(sleeps).isGreaterThanOrEqualTo(1);
        assertThat(rounds.get()).as("it spun and yielded before it parked").isGreaterThan(IdleStrategy.YIELDS);
    }

    @Test
    void consumerThatSeesWorkInItsLastLookDoesNotPark() {
        Thread me = Thread.currentThread();
        IdleStrategy idle = new IdleStrategy(me, () -> true, 0, 0, 0);

        for (int i = 0; i < 100; i++) {
            idle.idle(0);
        }

        assertThat(idle.sleeps()).as("work was always there when it was about to sleep").isZero();
    }

    @Test
    void workMakesTheNextIdleRoundStartOverWithAFreshSpin() {
        // No spin, no yields, a 1 ns park: the first idle round parks, the rounds that do not look at the clock spin.
        IdleStrategy idle = new IdleStrategy(Thread.currentThread(), () -> false, 0, 0, 1);
        idle.idle(0);
        for (int i = 1; i < IdleStrategy.SPINS_PER_CLOCK / 2; i++) {
            idle.idle(0);
        }
        long sleepsBeforeWork = idle.sleeps();

        idle.idle(1);
        idle.idle(0);

        assertThat(sleepsBeforeWork).as("only the first idle round parked").isEqualTo(1);
        assertThat(idle.sleeps()).as("after work the first idle round is a first round again").isEqualTo(2);
    }

    @Test
    @Timeout(10)
    void boundedParkReturnsWithoutAWake() {
        Thread me = Thread.currentThread();
        IdleStrategy idle = new IdleStrategy(me, () -> false, 0, 0, Duration.ofMillis(1).toNanos());

        while (idle.sleeps() < 3) {
            idle.idle(0);
        }

        assertThat(idle.sleeps()).isEqualTo(3);
    }

    @Test
    void negativePhaseIsRefusedWithWhatWasGiven() {
        assertThatThrownBy(() -> new IdleStrategy(Thread.currentThread(), () -> false, -1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spin -1 ns");
    }
}
