package io.jiomap.api.block;

import java.util.Objects;
import java.util.Optional;

/**
 * The base of every device decorator: a device that forwards each {@link BlockDevice} method to the device below it
 * ({@link #unwrap()}), so a decorator overrides only what it changes (docs/devices.md, "Decorators").
 *
 * <p>Polling: a decorator keeps the polling of the device below only when the submitter's {@link Bio#poll} still
 * reaps its bios, which holds when the device below is handed the submitter's own bio (it records its poll queue on
 * that bio). A decorator that hands the device below a bio of its own (a shadow), or that completes the submitter's
 * bio from another bio's completion, must say {@link Polling#DROPPED}: its {@link #capabilities()} then report no
 * polling, so the engine never marks a bio {@link Bio#POLLED} through it. Each decorator states its choice in the
 * constructor, and {@link #capabilities()} is final, so none can forget the rule.
 *
 * <p>Discards: a decorator passes the discard support of the device below on, unless it says it cannot keep its own
 * promises for a {@link BioOp#DISCARD} (a recorder that replays writes, say): its {@link #capabilities()} then report
 * {@link DeviceCapabilities.Discard#NONE}, so the block layer refuses discards with EOPNOTSUPP before they reach it.
 *
 * <p>Ownership: {@link #close()} closes the device below, for a decorator that owns it; one that only borrows it
 * overrides {@code close}.
 */
public abstract class FilterBlockDevice implements BlockDevice {
    /** Whether a decorator's bios can still be polled by their submitter (see the class comment). */
    public enum Polling {
        /**
         * The device below gets the submitter's own bio (its end callback may be swapped, the bio may be held back
         * or completed here): the polling of the device below is offered unchanged.
         */
        FORWARDED,
        /** The device below gets other bios than the submitter's: this decorator offers no polling. */
        DROPPED
    }

    /** The device below. */
    protected final BlockDevice in;
    private final DeviceCapabilities capabilities;

    /**
     * @param in      the device below, whose capabilities are read once, here
     * @param polling whether the submitter's bios stay pollable through this decorator
     */
    protected FilterBlockDevice(BlockDevice in, Polling polling) {
        this(in, polling, true);
    }

    /**
     * @param in             the device below, whose capabilities are read once, here
     * @param polling        whether the submitter's bios stay pollable through this decorator
     * @param passesDiscards whether discards go through this decorator as the device below takes them; when false,
     *                       it reports no discard support, and its {@link #submit} must end a discard that reaches
     *                       it anyway with EOPNOTSUPP
     * @since 1.3
     */
    protected FilterBlockDevice(BlockDevice in, Polling polling, boolean passesDiscards) {
        this.in = Objects.requireNonNull(in, "the device below");
        DeviceCapabilities below = in.capabilities();
        DeviceCapabilities caps = switch (Objects.requireNonNull(polling, "polling")) {
            case FORWARDED -> below;
            case DROPPED -> below.withoutPolling();
        };
        this.capabilities = passesDiscards || !caps.canDiscard() ? caps
                : caps.withDiscard(DeviceCapabilities.Discard.NONE);
    }

    /** The device directly below this one. */
    public final BlockDevice unwrap() {
        return in;
    }

    /** The device at the bottom of {@code device}'s chain of decorators: {@code device} itself if it is none. */
    public static BlockDevice innermost(BlockDevice device) {
        BlockDevice d = Objects.requireNonNull(device, "device");
        while (d instanceof FilterBlockDevice f) {
            d = f.in;
        }
        return d;
    }

    /**
     * The first device of {@code device}'s chain, from {@code device} itself down to the innermost, that is a
     * {@code type}: a decorator of that class, or a device with a capability such as {@link SimulatesPowerLoss}.
     */
    public static <T> Optional<T> find(BlockDevice device, Class<T> type) {
        BlockDevice d = Objects.requireNonNull(device, "device");
        while (true) {
            if (type.isInstance(d)) {
                return Optional.of(type.cast(d));
            }
            if (!(d instanceof FilterBlockDevice f)) {
                return Optional.empty();
            }
            d = f.in;
        }
    }

    @Override
    public String name() {
        return in.name();
    }

    /** The capabilities of the device below, without polling when this decorator said {@link Polling#DROPPED}. */
    @Override
    public final DeviceCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public void submit(Bio bio) {
        in.submit(bio);
    }

    /**
     * Forwards to the device below when polling is {@link Polling#FORWARDED}; reaps nothing otherwise. The engine
     * polls through {@link Bio#poll}, which goes straight to the device that queued the bio.
     */
    @Override
    public int poll(Bio bio, int flags) {
        return capabilities.polling() ? in.poll(bio, flags) : 0;
    }

    @Override
    public boolean isClosed() {
        return in.isClosed();
    }

    /** Closes the device below. */
    @Override
    public void close() {
        in.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + in + ")";
    }
}
