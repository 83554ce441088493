package io.jiomap.device.toolkit.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SimulatesPowerLoss;
import io.jiomap.device.toolkit.Devices;
import io.jiomap.device.toolkit.record.Recording;
import io.jiomap.device.toolkit.record.RecordingDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The toolkit's prediction agrees with a real device: what the memory device keeps across {@code powerCut()} right
 * after a recorded workload is exactly the LOSE_CACHE state at the end of the recording.
 */
class PowerCutAgreementTest {
    private final Devices io = new Devices();

    @AfterEach
    void close() {
        io.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"vwc=on,fua=on", "vwc=on,fua=off", "vwc=off"})
    void loseCacheAtTheEndIsWhatAPowerCutLeaves(String cache) throws Exception {
        for (long seed = 1; seed <= 5; seed++) {
            BlockDevice memory = io.memory("memory:size=1m,lbs=4096," + cache);
            Snapshot base = Snapshot.of(memory);
            RecordingDevice recorder = new RecordingDevice(memory);
            Workload.run(io, recorder, seed, 50, 64, true);
            Recording recording = recorder.recording();

            ((SimulatesPowerLoss) memory).powerCut();

            CrashState predicted = CrashStateGenerator.of(recording, base).atEnd(Mode.LOSE_CACHE);
            try (BlockDevice device = predicted.open()) {
                assertThat(Snapshot.of(device).firstDifference(Snapshot.of(memory)))
                        .as("seed %d, %s", seed, predicted).isEmpty();
            }
        }
    }

    @Test
    void aPowerCutLosesWhatThePrefixOfCompletedWritesStillHas() throws Exception {
        BlockDevice memory = io.memory("memory:size=1m,lbs=4096,vwc=on,fua=on");
        Snapshot base = Snapshot.of(memory);
        RecordingDevice recorder = new RecordingDevice(memory);
        Workload.run(io, recorder, 3, 50, 64, true);
        Recording recording = recorder.recording();

        ((SimulatesPowerLoss) memory).powerCut();

        CrashState everything = CrashStateGenerator.of(recording, base).atEnd(Mode.PREFIX_AT_BARRIER);
        try (BlockDevice device = everything.open()) {
            assertThat(Snapshot.of(device).firstDifference(Snapshot.of(memory)))
                    .as("the unflushed writes at the end are gone from the device").isPresent();
        }
    }
}
