package io.jiomap.core.completion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdleWaiterTest {
    @Test
    void consumerWithNoWorkParksAndCountsTheSleepAndAWakeEndsIt() throws InterruptedException {
        AtomicBoolean work = new AtomicBoolean();
        AtomicInteger rounds = new AtomicInteger();
        IdleWaiter[] waiter = new IdleWaiter[1];
        Thread consumer = new Thread(() -> {
            int round = 0;
            while (!work.get()) {
                waiter[0].idle(round++, work::get);
                rounds.set(round);
            }
        });
        waiter[0] = new IdleWaiter(consumer);
        consumer.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> waiter[0].sleeps() >= 1
                && consumer.getState() == Thread.State.WAITING);
        long sleeps = waiter[0].sleeps();
        work.set(true);
        waiter[0].wake();
        consumer.join(Duration.ofSeconds(10).toMillis());

        assertThat(consumer.isAlive()).isFalse();
        assertThat(sleeps).isGreaterThanOrEqualTo(1);
        assertThat(rounds.get()).as("it spun and yielded before it parked").isGreaterThan(IdleWaiter.YIELD_ROUNDS);
    }
}
