package io.jiomap.cli.command;

import io.jiomap.cli.text.Units;
import io.jiomap.core.CompletionMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for the value forms fio users type: sizes, durations, completion modes. */
public final class Converters {
    private Converters() {
    }

    /** {@code 4k}, {@code 1g}: bytes, 1024-based. */
    public static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Units.parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 1.5}, {@code 200ms}: nanoseconds, a bare number is seconds. */
    public static final class Duration implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Units.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code workqueue}, {@code caller}, {@code inline}. */
    public static final class Mode implements ITypeConverter<CompletionMode> {
        @Override
        public CompletionMode convert(String value) {
            try {
                return CompletionMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
