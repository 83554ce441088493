package io.jiomap.api.block;

/** What a bio asks the device to do. */
public enum BioOp {
    READ,
    WRITE,
    /** Make every write that completed before this flush was submitted durable (REQ_OP_FLUSH). */
    FLUSH,
    /**
     * Tell the device the range's content is no longer needed (REQ_OP_DISCARD): afterwards the range reads back as
     * zeros where the device's {@link DeviceCapabilities.Discard#zeroesData()} says so, and as undefined content
     * otherwise. A discard carries no memory. Like a write it sits in a volatile write cache until a flush: until
     * then, a power cut may leave the range with its old content or with what the discard made of it. Only devices
     * whose {@link DeviceCapabilities#discard()} is {@link DeviceCapabilities.Discard#supported() supported} take it;
     * the others end it with EOPNOTSUPP.
     *
     * @since 1.3
     */
    DISCARD
}
