/**
 * The jiomap launcher: runs on the host, boots an embedded OSGi framework with the distribution's bundles and runs
 * the command service. A plain module, not a bundle.
 */
module io.jiomap.launcher {
    requires transitive org.apache.felix.framework;

    uses org.osgi.framework.launch.FrameworkFactory;

    exports io.jiomap.launcher;
}
