package io.jiomap.testkit;

import io.jiomap.core.OpenFile;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where a {@link io.jiomap.core.OpenFile} parameter of a {@link JiomapTest} is opened (created if missing); without
 * it the parameter is {@value #DEFAULT_PATH}.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TestFile {
    String DEFAULT_PATH = "/testfile";

    /** The path. */
    String value() default DEFAULT_PATH;

    /** Open flags besides {@link OpenFile#CREATE}: {@link OpenFile#DSYNC}, {@link OpenFile#SYNC}. */
    int flags() default 0;
}
