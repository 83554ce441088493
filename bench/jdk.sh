# Sourced by the bench scripts: JAVA is a JDK 25 or newer ($JAVA_HOME first, then /usr/lib/jvm), and JM runs the built
# distribution's launcher (relative to the repository root) with the flags every jiomap command needs.
JAVA=""
for j in "${JAVA_HOME:-/nonexistent}/bin/java" /usr/lib/jvm/*/bin/java; do
    if [[ -x "$j" ]] && "$j" -version 2>&1 | head -n 1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then JAVA="$j"; break; fi
done
[[ -n "$JAVA" ]] || { echo "$(basename "$0"): no JDK 25 or newer in \$JAVA_HOME or /usr/lib/jvm" >&2; exit 1; }
JM=("$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar launcher/target/dist/launcher.jar)
