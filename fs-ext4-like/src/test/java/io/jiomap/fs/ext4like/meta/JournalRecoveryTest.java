package io.jiomap.fs.ext4like.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.fs.ext4like.disk.Bytes;
import io.jiomap.fs.ext4like.disk.JournalBlock;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The journal on its own: what a scan accepts, what replay writes, and that replaying twice changes nothing. */
class JournalRecoveryTest {
    private static final int BS = 1024;
    private static final long FIRST = 100;
    private static final long LENGTH = 128;

    private final BlockDevice device;
    private final BlockCache cache;
    private final Journal journal;

    JournalRecoveryTest() throws Exception {
        device = new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=4m,vwc=on"));
        cache = new BlockCache(device, BS);
        byte[] sb = new byte[BS];
        JournalBlock.encodeSuper(sb, BS, LENGTH, 1, 0);
        cache.writeRaw(FIRST, sb, 0);
        journal = new Journal(cache, FIRST, LENGTH, 1, freed -> { });
    }

    @AfterEach
    void close() {
        device.close();
    }

    private static byte[] filled(int seed) {
        byte[] b = new byte[BS];
        Arrays.fill(b, (byte) seed);
        return b;
    }

    private void change(long block, byte[] content) {
        try (Journal.Handle h = journal.start(2)) {
            System.arraycopy(content, 0, cache.fresh(block), 0, BS);
            journal.dirtyLocked(block);
        }
    }

    private Recovery.Scan scan() throws Exception {
        return Recovery.scan(device, BS, FIRST, LENGTH);
    }

    @Test
    void committedTransactionsReplayInOrderAndTheLatestCopyWins() throws Exception {
        change(500, filled(1));
        assertThat(journal.commit()).isEqualTo(1);
        change(500, filled(2));
        change(501, filled(3));
        journal.commit();
        Recovery.Scan s = scan();
        assertThat(s.needed()).isTrue();
        assertThat(s.committed()).containsExactly(1L, 2L);
        assertThat(s.replay().get(500L)).isEqualTo(filled(2));
        assertThat(s.replay().get(501L)).isEqualTo(filled(3));
        assertThat(cache.readRaw(500)).as("nothing home before recovery").isEqualTo(new byte[BS]);
        Recovery.replay(device, BS, FIRST, LENGTH, s);
        assertThat(cache.readRaw(500)).isEqualTo(filled(2));
        assertThat(scan().needed()).as("clean after replay").isFalse();
    }

    @Test
    void uncommittedTransactionIsIgnored() throws Exception {
        change(500, filled(1));
        journal.commit();
        change(500, filled(9));
        // Only the running transaction holds the change: nothing of it is in the journal.
        assertThat(scan().committed()).containsExactly(1L);
        assertThat(scan().replay().get(500L)).isEqualTo(filled(1));
    }

    @Test
    void tornCopyInvalidatesItsTransactionAndEverythingAfter() throws Exception {
        change(500, filled(1));
        journal.commit();
        change(501, filled(2));
        journal.commit();
        // Transaction 1: descriptor at 1, copy at 2, commit at 3; transaction 2: descriptor at 4, copy at 5.
        byte[] copy = cache.readRaw(FIRST + 5);
        copy[100] ^= 1;
        cache.writeRaw(FIRST + 5, copy, 0);
        Recovery.Scan s = scan();
        assertThat(s.committed()).containsExactly(1L);
        assertThat(s.replay()).containsOnlyKeys(500L);
    }

    @Test
    void corruptCommitBlockIsNotACommit() throws Exception {
        change(500, filled(1));
        journal.commit();
        byte[] commit = cache.readRaw(FIRST + 3);
        assertThat(JournalBlock.type(commit)).isEqualTo(JournalBlock.COMMIT);
        commit[13] ^= 1;
        cache.writeRaw(FIRST + 3, commit, 0);
        assertThat(scan().committed()).isEmpty();
        assertThat(scan().replay()).isEmpty();
    }

    @Test
    void revokedBlockIsNotReplayedFromEarlierTransactions() throws Exception {
        change(600, filled(4));
        change(601, filled(5));
        journal.commit();
        try (Journal.Handle h = journal.start(2)) {
            journal.revokeLocked(600);
        }
        journal.commit();
        Recovery.Scan s = scan();
        assertThat(s.committed()).containsExactly(1L, 2L);
        assertThat(s.replay()).containsOnlyKeys(601L);
    }

    @Test
    void copyStartingWithTheJournalMagicIsEscapedAndRestored() throws Exception {
        byte[] tricky = filled(6);
        Bytes.be32(tricky, 0, JournalBlock.MAGIC);
        change(700, tricky);
        journal.commit();
        assertThat(scan().replay().get(700L)).isEqualTo(tricky);
    }

    @Test
    void replayingTwiceGivesTheSameImage() throws Exception {
        change(500, filled(1));
        change(501, filled(2));
        journal.commit();
        Recovery.Scan s = scan();
        // A first recovery whose writes land but whose journal reset is lost: the journal still needs recovery.
        s.replay().forEach((b, data) -> cache.writeRaw(b, data, 0));
        Recovery.Scan again = scan();
        assertThat(again.needed()).isTrue();
        Recovery.replay(device, BS, FIRST, LENGTH, again);
        assertThat(cache.readRaw(500)).isEqualTo(filled(1));
        assertThat(cache.readRaw(501)).isEqualTo(filled(2));
        assertThat(scan().needed()).isFalse();
    }

    @Test
    void checkpointWritesCommittedCopiesHomeAndEmptiesTheJournal() throws Exception {
        change(500, filled(7));
        assertThat(journal.checkpoint()).isZero();
        assertThat(cache.readRaw(500)).isEqualTo(filled(7));
        assertThat(scan().needed()).isFalse();
    }
}
