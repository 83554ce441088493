package io.jiomap.tck.observe;

/**
 * A bio's end, as a {@link TappedDevice} saw it.
 *
 * @param seq    the {@link BioRecord#seq()} of the bio
 * @param status 0 or the positive errno it ended with
 * @param thread the thread the device completed it on (its "interrupt" context)
 */
public record BioCompletion(long seq, int status, String thread) {
}
