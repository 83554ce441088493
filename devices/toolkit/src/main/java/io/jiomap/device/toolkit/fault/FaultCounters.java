package io.jiomap.device.toolkit.fault;

/**
 * What a {@link FaultyDevice} has injected so far (a snapshot).
 *
 * @param submitted      bios submitted to the faulty device
 * @param failed         bios failed by a FAIL rule
 * @param shortened      bios cut short by a SHORT rule
 * @param delayed        bios given latency by DELAY rules
 * @param disappearances 1 once the device has disappeared, else 0
 * @param endedNoDevice  bios that ended with ENODEV because the device had disappeared or was closed
 */
public record FaultCounters(long submitted, long failed, long shortened, long delayed, long disappearances,
                            long endedNoDevice) {
}
