package io.jiomap.device.toolkit.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.device.toolkit.Devices;
import io.jiomap.device.toolkit.record.Event;
import io.jiomap.device.toolkit.record.Recording;
import io.jiomap.device.toolkit.record.RecordingDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RANDOM_SUBSET: reproducible, never garbage, torn only at the logical block size. */
class RandomSubsetTest {
    private static final int BLOCK = 512;
    private static final int BLOCKS = 48;
    private final Devices io = new Devices();
    private Recording recording;
    private Snapshot base;

    @BeforeEach
    void recordWorkload() throws Exception {
        BlockDevice memory = io.memory("memory:size=1m,lbs=512,vwc=on,fua=on");
        // A base that is not all zeros, so "base content" is a real candidate distinct from "no write".
        for (int b = 0; b < BLOCKS; b += 2) {
            assertThat(Devices.write(memory, (long) b * BLOCK, io.pattern(BLOCK, 1000 + b))).isZero();
        }
        base = Snapshot.of(memory);
        RecordingDevice recorder = io.track(new RecordingDevice(memory));
        Workload.run(io, recorder, 11, 40, BLOCKS, true);
        recording = recorder.recording();
    }

    @AfterEach
    void close() {
        io.close();
    }

    private List<CrashState> states(long seed) {
        return CrashStateGenerator.of(recording, base).seed(seed).randomChoices(6).tornWrites(true)
                .states(Mode.RANDOM_SUBSET);
    }

    @Test
    void sameSeedGivesTheSameStatesAndAnotherSeedOthers() {
        List<String> first = states(7).stream().map(CrashState::description).toList();
        List<String> again = states(7).stream().map(CrashState::description).toList();
        List<String> other = states(8).stream().map(CrashState::description).toList();

        assertThat(first).hasSizeGreaterThan(20).isEqualTo(again);
        assertThat(other).hasSameSizeAs(first).isNotEqualTo(first);
    }

    @Test
    void everyBlockOfEveryStateIsItsBaseContentOrTheDataOfSomeWriteToIt() {
        List<Set<ByteBuffer>> candidates = new ArrayList<>();
        for (int b = 0; b < BLOCKS; b++) {
            Set<ByteBuffer> set = new HashSet<>();
            set.add(ByteBuffer.wrap(base.read((long) b * BLOCK, BLOCK)));
            candidates.add(set);
        }
        for (Event.WriteSubmit write : recording.writes()) {
            byte[] data = write.payload().toArray();
            for (int i = 0; i < write.length() / BLOCK; i++) {
                int b = (int) (write.address() / BLOCK) + i;
                candidates.get(b).add(ByteBuffer.wrap(Arrays.copyOfRange(data, i * BLOCK, (i + 1) * BLOCK)));
            }
        }

        for (CrashState state : states(7)) {
            try (BlockDevice device = state.open()) {
                byte[] image = io.read(device, 0, BLOCKS * BLOCK);
                for (int b = 0; b < BLOCKS; b++) {
                    ByteBuffer content = ByteBuffer.wrap(image, b * BLOCK, BLOCK).slice();
                    assertThat(candidates.get(b)).as("block %d of %s", b, state).contains(content);
                }
            }
        }
    }

    @Test
    void eachStateIsExactlyItsWritesAppliedInOrderWithTornWritesCutAtBlocks() {
        List<CrashState> states = states(7);
        assertThat(states).as("the workload produces torn states").anyMatch(s -> !s.tornWrites().isEmpty());

        for (CrashState state : states) {
            byte[] expected = base.read(0, BLOCKS * BLOCK);
            Map<Long, BitSet> torn = state.tornWrites();
            for (Event.WriteSubmit write : state.appliedWrites()) {
                byte[] data = write.payload().toArray();
                BitSet blocks = torn.get(write.seq());
                int count = write.length() / BLOCK;
                if (blocks != null) {
                    assertThat(blocks.length()).as("torn blocks of %s", write).isLessThanOrEqualTo(count);
                    assertThat(blocks.cardinality()).isBetween(1, count - 1);
                }
                for (int i = 0; i < count; i++) {
                    if (blocks == null || blocks.get(i)) {
                        System.arraycopy(data, i * BLOCK, expected, (int) write.address() + i * BLOCK, BLOCK);
                    }
                }
            }
            try (BlockDevice device = state.open()) {
                assertThat(io.read(device, 0, BLOCKS * BLOCK)).as(state.description()).isEqualTo(expected);
            }
        }
    }

    @Test
    void durableWritesAreInEveryRandomStateAndOnlyOptionalOnesVary() {
        CrashStateGenerator generator = CrashStateGenerator.of(recording, base);
        Set<Long> durableAtEnd = new HashSet<>();
        generator.atEnd(Mode.LOSE_CACHE).appliedWrites().forEach(w -> durableAtEnd.add(w.seq()));
        List<CrashState> atEnd = states(7).stream().filter(s -> s.pointKind() == PointKind.END).toList();

        assertThat(atEnd).hasSize(6);
        for (CrashState state : atEnd) {
            assertThat(state.appliedWrites()).extracting(Event.WriteSubmit::seq).containsAll(durableAtEnd);
        }
        assertThat(atEnd.stream().map(s -> s.appliedWrites().size()).distinct().count())
                .as("the unflushed writes at the end are sometimes kept, sometimes lost").isGreaterThan(1);
    }
}
