package io.jiomap.api.block;

/** What a bio asks the device to do. */
public enum BioOp {
    READ,
    WRITE,
    /** Make every write that completed before this flush was submitted durable (REQ_OP_FLUSH). */
    FLUSH
}
