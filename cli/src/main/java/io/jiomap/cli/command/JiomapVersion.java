package io.jiomap.cli.command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** The version Maven built, from {@code io/jiomap/cli/version.properties}. */
public final class JiomapVersion {
    private JiomapVersion() {
    }

    /** The version string, or {@code unknown} in a build without the properties file. */
    public static String version() {
        try (InputStream in = JiomapVersion.class.getResourceAsStream("/io/jiomap/cli/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** picocli's {@code --version}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jiomap " + version()};
        }
    }
}
