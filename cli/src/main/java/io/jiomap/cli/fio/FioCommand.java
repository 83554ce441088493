package io.jiomap.cli.fio;

import io.jiomap.api.JiomapException;
import io.jiomap.cli.plugin.Plugins;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jiomap fio}: fio's command line ({@code --name=X --rw=randwrite --bs=4k ...}) run on jiomap. The arguments
 * are handed over untouched and parsed by {@link FioArgs}, because fio's meaning depends on their order.
 */
@Command(name = "fio", mixinStandardHelpOptions = true,
        description = "Runs fio jobs on a jiomap mount: fio's options and output, jiomap's device, filesystem and"
                + " completion mode. Options before the first --name are global; job files are read like fio's.")
public final class FioCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "--option[=value] | JOBFILE", arity = "0..*",
            description = "fio options and job files, see the list below")
    private List<String> args = new ArrayList<>();

    private final Plugins plugins;

    public FioCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() throws JiomapException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no job defined: start one with --name=NAME (jiomap fio --help lists"
                    + " the options)");
        }
        List<String> fioArgs = new ArrayList<>(args);
        Path report = FioReport.takeReportOption(fioArgs);
        FioRunner runner = new FioRunner(plugins, spec.commandLine().getOut(), spec.commandLine().getErr(),
                VerifyHook.NONE);
        if (report != null) {
            String command = "jiomap fio " + String.join(" ", args);
            runner.whenFinished(run -> FioReport.write(run, command, report, spec.commandLine().getErr()));
        }
        return runner.run(fioArgs);
    }

    /** The option list for {@code --help}. */
    public static String optionHelp() {
        StringBuilder sb = new StringBuilder("Options:%n");
        int width = FioOption.ALL.values().stream().mapToInt(o -> o.name().length()).max().orElse(0) + 4;
        for (FioOption o : FioOption.ALL.values()) {
            String left = "  --" + o.name();
            sb.append(left).append(" ".repeat(Math.max(1, width - left.length() + 2)))
                    .append(o.help().replace("%", "%%")).append("%n");
        }
        return sb.toString();
    }
}
