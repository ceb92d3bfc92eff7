package io.loopline.cli;

import picocli.CommandLine;

/** Reports the build's version and the Flink version it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Loopline.class.getPackage().getImplementationVersion();
        return new String[] {
            "loopline " + (version == null ? "(development build)" : version),
            "Flink " + org.apache.flink.runtime.util.EnvironmentInformation.getVersion()
                    + ", Java " + System.getProperty("java.version")
        };
    }
}
