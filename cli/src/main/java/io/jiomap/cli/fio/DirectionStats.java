package io.jiomap.cli.fio;

/**
 * What fio reports per direction (read, write, trim): I/Os, bytes, the three latencies, and the periodic IOPS and
 * bandwidth samples ({@link RateSampler}).
 */
final class DirectionStats {
    final LatencyStat slat = new LatencyStat();
    final LatencyStat clat = new LatencyStat();
    final LatencyStat lat = new LatencyStat();
    final RunningStat iopsSamples = new RunningStat();
    final RunningStat bwSamples = new RunningStat();
    long ios;
    long bytes;
    long shortIos;

    void add(DirectionStats other) {
        slat.add(other.slat);
        clat.add(other.clat);
        lat.add(other.lat);
        iopsSamples.sum(other.iopsSamples);
        bwSamples.sum(other.bwSamples);
        ios += other.ios;
        bytes += other.bytes;
        shortIos += other.shortIos;
    }
}
