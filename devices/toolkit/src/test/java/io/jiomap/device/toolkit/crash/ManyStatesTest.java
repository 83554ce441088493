package io.jiomap.device.toolkit.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.device.toolkit.Devices;
import io.jiomap.device.toolkit.record.Recording;
import io.jiomap.device.toolkit.record.RecordingDevice;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Thousands of crash states of a small workload are generated, opened, read and closed within the test budget. */
class ManyStatesTest {
    private final Devices io = new Devices();

    @AfterEach
    void close() {
        io.close();
    }

    @Test
    void fiveThousandStatesAreGeneratedAndOpened() throws Exception {
        BlockDevice memory = io.memory("memory:size=1m,lbs=4096,vwc=on,fua=on");
        Snapshot base = Snapshot.of(memory);
        RecordingDevice recorder = io.track(new RecordingDevice(memory));
        Workload.run(io, recorder, 5, 60, 64, true);
        Recording recording = recorder.recording();
        CrashStateGenerator generator = CrashStateGenerator.of(recording, base).seed(1).tornWrites(true);
        int points = generator.randomChoices(1).states(Mode.RANDOM_SUBSET).size();

        List<CrashState> states = generator.randomChoices(5000 / points + 1).states(Mode.RANDOM_SUBSET);

        assertThat(states).hasSizeGreaterThanOrEqualTo(5000);
        long nonZeroBlocks = 0;
        for (CrashState state : states) {
            try (BlockDevice device = state.open()) {
                byte[] first = io.read(device, 0, 16 * 4096);
                for (int b = 0; b < 16; b++) {
                    nonZeroBlocks += first[b * 4096] != 0 || first[b * 4096 + 4] != 0 ? 1 : 0;
                }
            }
        }
        assertThat(nonZeroBlocks).as("the states hold written data").isPositive();
    }
}
