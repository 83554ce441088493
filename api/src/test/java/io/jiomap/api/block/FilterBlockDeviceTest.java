package io.jiomap.api.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.block.FilterBlockDevice.Polling;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterBlockDeviceTest {
    /** A device with poll queues that records every call it gets and completes each bio at once. */
    static final class Bottom implements BlockDevice, SimulatesPowerLoss {
        final List<String> calls = new ArrayList<>();
        final boolean polling;
        boolean closed;

        Bottom(boolean polling) {
            this.polling = polling;
        }

        @Override
        public String name() {
            return "bottom";
        }

        @Override
        public DeviceCapabilities capabilities() {
            return new DeviceCapabilities(4096, 4096, 1 << 20, 1 << 20, 4096, 1, 8, true, true, polling,
                    new DeviceCapabilities.Discard(4096, 1 << 20, true));
        }

        @Override
        public void submit(Bio bio) {
            calls.add("submit " + bio);
            bio.complete(0);
        }

        @Override
        public int poll(Bio bio, int flags) {
            calls.add("poll " + flags);
            return 7;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            calls.add("close");
            closed = true;
        }

        @Override
        public void powerCut() {
            calls.add("powerCut");
        }
    }

    /** A decorator that changes nothing. */
    static final class Plain extends FilterBlockDevice {
        Plain(BlockDevice in, Polling polling) {
            super(in, polling);
        }
    }

    /** A second kind of decorator, to be found by type. */
    static final class Counting extends FilterBlockDevice {
        int submits;

        Counting(BlockDevice in) {
            super(in, Polling.FORWARDED);
        }

        @Override
        public void submit(Bio bio) {
            submits++;
            super.submit(bio);
        }
    }

    @Test
    void aDecoratorThatOverridesNothingForwardsEveryMethodToTheDeviceBelow() {
        Bottom bottom = new Bottom(true);
        FilterBlockDevice d = new Plain(bottom, Polling.FORWARDED);
        Bio bio = new Bio().setFlush(Bio.SYNC, b -> { }, null);

        d.submit(bio);
        int reaped = d.poll(bio, BlockDevice.POLL_BLOCK);
        assertThat(d.isClosed()).isFalse();
        d.close();

        assertThat(d.name()).isEqualTo("bottom");
        assertThat(reaped).isEqualTo(7);
        assertThat(bottom.calls).containsExactly("submit " + bio, "poll " + BlockDevice.POLL_BLOCK, "close");
        assertThat(d.isClosed()).isTrue();
        assertThat(d.capabilities()).isEqualTo(bottom.capabilities());
    }

    @Test
    void aDecoratorPassesTheDiscardSupportBelowOnUnlessItSaysItCannot() {
        Bottom bottom = new Bottom(true);
        FilterBlockDevice passing = new Plain(bottom, FilterBlockDevice.Polling.FORWARDED);
        FilterBlockDevice refusing = new FilterBlockDevice(bottom, FilterBlockDevice.Polling.FORWARDED, false) {
        };

        assertThat(passing.capabilities().discard()).isEqualTo(bottom.capabilities().discard());
        assertThat(refusing.capabilities().discard()).isEqualTo(DeviceCapabilities.Discard.NONE);
        assertThat(refusing.capabilities().polling()).as("the rest unchanged").isTrue();
        assertThat(new Plain(refusing, FilterBlockDevice.Polling.FORWARDED).capabilities().canDiscard()).as("for every decorator above").isFalse();
    }

    @Test
    void aDecoratorThatDropsPollingReportsNoPollingAndReapsNothing() {
        Bottom bottom = new Bottom(true);
        FilterBlockDevice d = new Plain(bottom, Polling.DROPPED);

        assertThat(d.capabilities().polling()).isFalse();
        assertThat(d.capabilities()).isEqualTo(bottom.capabilities().withoutPolling());
        assertThat(d.poll(new Bio(), BlockDevice.POLL_BLOCK)).isZero();
        assertThat(bottom.calls).isEmpty();
    }

    @Test
    void forwardingPollingOverADeviceWithoutPollQueuesOffersNone() {
        assertThat(new Plain(new Bottom(false), Polling.FORWARDED).capabilities().polling()).isFalse();
    }

    @Test
    void oneDecoratorThatDropsPollingTakesItAwayFromEveryDecoratorAboveIt() {
        FilterBlockDevice top = new Counting(new Plain(new Counting(new Bottom(true)), Polling.DROPPED));

        assertThat(top.capabilities().polling()).isFalse();
    }

    @Test
    void unwrapReachesTheDeviceDirectlyBelowAndInnermostTheBottomOfTheChain() {
        Bottom bottom = new Bottom(true);
        Counting lower = new Counting(bottom);
        Plain top = new Plain(lower, Polling.FORWARDED);

        assertThat(top.unwrap()).isSameAs(lower);
        assertThat(lower.unwrap()).isSameAs(bottom);
        assertThat(FilterBlockDevice.innermost(top)).isSameAs(bottom);
        assertThat(FilterBlockDevice.innermost(bottom)).as("a device that decorates nothing").isSameAs(bottom);
    }

    @Test
    void findReturnsTheFirstDeviceOfTheChainOfTheGivenTypeFromTheTopDown() {
        Bottom bottom = new Bottom(true);
        Counting lower = new Counting(bottom);
        Counting upper = new Counting(new Plain(lower, Polling.FORWARDED));

        assertThat(FilterBlockDevice.find(upper, Counting.class)).containsSame(upper);
        assertThat(FilterBlockDevice.find(upper.unwrap(), Counting.class)).containsSame(lower);
        assertThat(FilterBlockDevice.find(upper, SimulatesPowerLoss.class)).containsSame(bottom);
        assertThat(FilterBlockDevice.find(lower, Plain.class)).isEmpty();
    }

    @Test
    void aDecoratorNeedsADeviceBelowAndAPollingChoice() {
        assertThatThrownBy(() -> new Plain(null, Polling.FORWARDED)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("the device below");
        assertThatThrownBy(() -> new Plain(new Bottom(true), null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("polling");
    }
}
