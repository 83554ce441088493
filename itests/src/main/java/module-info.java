/**
 * jiomap's integration tests: the harness that boots Felix in the test JVM, sharing the api with the plugin bundles
 * it installs. The tests themselves live in src/test and run with failsafe in {@code mvn verify}.
 */
module io.jiomap.itests {
    requires transitive io.jiomap.api;
    requires transitive io.jiomap.launcher;
    requires transitive org.apache.felix.framework;

    exports io.jiomap.itests;
}
