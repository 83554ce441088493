package io.jiomap.cli.fio;

/** What fio reports per direction (read, write, trim): I/Os, bytes and the three latencies. */
final class DirectionStats {
    final LatencyStat slat = new LatencyStat();
    final LatencyStat clat = new LatencyStat();
    final LatencyStat lat = new LatencyStat();
    long ios;
    long bytes;
    long shortIos;

    void add(DirectionStats other) {
        slat.add(other.slat);
        clat.add(other.clat);
        lat.add(other.lat);
        ios += other.ios;
        bytes += other.bytes;
        shortIos += other.shortIos;
    }
}
