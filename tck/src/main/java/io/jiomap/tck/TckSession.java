package io.jiomap.tck;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Assumptions;

/**
 * What one contract test uses: it checks the fixture can do what the test needs (skipping the test otherwise, with
 * a message naming what is missing), starts environments, runs blocking work on bounded background threads, and
 * cleans all of it up after the test.
 */
public final class TckSession implements AutoCloseable {
    /**
     * The bound on every wait: far above anything a working engine needs on a loaded CI machine, short enough that
     * a deadlock fails the test quickly.
     */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final TckFixture fixture;
    private final List<TckEnv> envs = new ArrayList<>();
    private final List<Background<?>> backgrounds = new ArrayList<>();

    public TckSession(TckFixture fixture) {
        this.fixture = fixture;
    }

    public TckFixture fixture() {
        return fixture;
    }

    /** Whether the filesystem under test has {@code feature}: for a test whose expectation depends on it. */
    public boolean has(FsFeature feature) {
        return fixture.has(feature);
    }

    /** Skips the test unless the filesystem under test has every one of {@code features}. */
    public void requires(FsFeature... features) {
        requires(Set.of(features));
    }

    public void requires(Set<FsFeature> features) {
        for (FsFeature f : features) {
            Assumptions.assumeTrue(fixture.has(f), () -> "filesystem '" + fixture.fileSystem().name()
                    + "' cannot " + f.description() + " (FsFeature." + f + ")");
        }
    }

    /**
     * Starts an environment on the default setup's device geometry with whatever write cache and FUA the device has
     * ({@code DeviceSetup.defaults().anyWriteCache()}): for a test whose outcome does not depend on them. A test that
     * depends on them passes its {@link DeviceSetup} to {@link #start(DeviceSetup, FileLayout)}.
     */
    public TckEnv start(FileLayout layout) throws Exception {
        return start(DeviceSetup.defaults().anyWriteCache(), layout);
    }

    /** Opens a fresh device as {@code setup} says, mounts the filesystem under test on it, and arranges the file. */
    public TckEnv start(DeviceSetup setup, FileLayout layout) throws Exception {
        requires(layout.requiredFeatures());
        Optional<BlockDevice> opened = fixture.devices().open(setup);
        Assumptions.assumeTrue(opened.isPresent(), () -> "device '" + fixture.devices().name()
                + "' cannot be set up as: " + setup);
        BlockDevice device = opened.get();
        try {
            checkDevice(setup, device);
            TckEnv env = new TckEnv(fixture, setup, layout, device);
            envs.add(env);
            return env;
        } catch (Exception | Error e) {
            device.close();
            throw e;
        }
    }

    private void checkDevice(DeviceSetup setup, BlockDevice device) {
        DeviceCapabilities c = device.capabilities();
        // Only what the test declared it depends on: the cache and FUA are the device's own otherwise.
        boolean cacheMismatch = setup.writeCacheMatters() && (c.volatileWriteCache() != setup.volatileWriteCache()
                || (setup.volatileWriteCache() && c.fua() != setup.fua()));
        if (c.logicalBlockSize() != setup.logicalBlockSize() || cacheMismatch
                || c.maxTransferBytes() != setup.maxTransferBytes() || c.capacityBytes() < setup.capacityBytes()) {
            throw new AssertionError("device '" + fixture.devices().name() + "' was asked for " + setup
                    + " and opened " + c);
        }
        if (setup.completion() == DeviceCompletion.HELD && !(device instanceof HoldingDevice)) {
            throw new AssertionError("device '" + fixture.devices().name() + "' opened for DeviceCompletion.HELD"
                    + " does not implement HoldingDevice");
        }
    }

    /** Runs {@code body} on a daemon thread of its own; {@link Background#await()} bounds the wait for it. */
    public <T> Background<T> spawn(String name, Callable<T> body) {
        Background<T> b = new Background<>(name, body);
        backgrounds.add(b);
        return b;
    }

    /** Closes every environment (releasing held I/O first), then checks no background work is left stuck. */
    @Override
    public void close() {
        AssertionError failure = null;
        for (TckEnv env : envs.reversed()) {
            try {
                env.close();
            } catch (AssertionError e) {
                failure = chain(failure, e);
            }
        }
        envs.clear();
        for (Background<?> b : backgrounds) {
            try {
                Waits.await("background '" + b.name() + "' to end once everything was released").until(b::isDone);
            } catch (RuntimeException e) {
                failure = chain(failure, new AssertionError(e.getMessage(), e));
            }
        }
        backgrounds.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static AssertionError chain(AssertionError first, AssertionError next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
