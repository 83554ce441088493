package io.jiomap.cli.measure;

/**
 * xorshift64*: a few instructions per number and no allocation, so choosing a random offset costs nothing next to the
 * I/O it drives (fio's own default generator is a similarly cheap Tausworthe one).
 */
public final class Xorshift {
    private long state;

    /** A zero seed would stay zero forever, so the seed is mixed (splitmix64) first. */
    public Xorshift(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        state = z == 0 ? 0x2545F4914F6CDD1DL : z;
    }

    public long nextLong() {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return x * 0x2545F4914F6CDD1DL;
    }

    /** Uniform in {@code [0, bound)} for a positive bound, by the high half of a 64x64 multiply (no division). */
    public long nextBelow(long bound) {
        return Math.unsignedMultiplyHigh(nextLong(), bound);
    }
}
