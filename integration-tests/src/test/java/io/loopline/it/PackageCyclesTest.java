package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The code reads in one direction: no two packages of the main sources use each other, directly
 * or through others (a cycle would make them one unit that cannot be understood or split apart).
 */
class PackageCyclesTest {
    private static final List<String> MODULES = List.of("state", "operators", "jobs", "cli");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.loopline(?:\\.[a-z0-9_]+)+)\\.[A-Z]");

    @Test
    void noPackageCycles() throws IOException {
        Map<String, Set<String>> uses = packageGraph();
        assertThat(uses).as("packages found").hasSizeGreaterThan(20);
        assertThat(cycles(uses)).as("package cycles").isEmpty();
    }

    @Test
    void theJobsUseNoCliCode() throws IOException {
        Map<String, Set<String>> uses = packageGraph();
        Set<String> cliPackages = packagesOf("cli");
        uses.forEach((from, to) -> {
            if (from.startsWith("io.loopline.jobs") || from.equals("io.loopline.io") || from.equals("io.loopline.kafka")) {
                assertThat(to).as(from).doesNotContainAnyElementsOf(cliPackages);
            }
        });
    }

    @Test
    void theRecordsNeedNoFlink() throws IOException {
        Path records = Path.of("..", "state", "src", "main", "java", "io", "loopline", "state", "records");
        try (Stream<Path> files = Files.list(records)) {
            List<Path> plain = files.filter(f -> f.toString().endsWith(".java") && !f.getFileName().toString().contains("$")).toList();
            assertThat(plain).hasSizeGreaterThan(10);
            for (Path file : plain) {
                assertThat(Files.readString(file)).as(file.getFileName().toString()).doesNotContain("org.apache.flink");
            }
        }
    }

    @Test
    void theFeatureSpecParserNeedsNoFlink() throws IOException {
        Path spec = Path.of("..", "operators", "src", "main", "java", "io", "loopline", "operators", "features", "spec");
        try (Stream<Path> files = Files.list(spec)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                assertThat(Files.readString(file)).as(file.getFileName().toString()).doesNotContain("org.apache.flink");
            }
        }
    }

    private static Map<String, Set<String>> packageGraph() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (String module : MODULES) {
            for (Path file : sources(module)) {
                if (file.getFileName().toString().contains("$")) {
                    // A savepoint compatibility name (records/Event$Snapshot): a class whose only job is to carry
                    // the name older savepoints recorded and hand over to today's serializer. It points back by design.
                    continue;
                }
                String source = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(source);
                if (!pkg.find()) {
                    continue;
                }
                Set<String> targets = uses.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
                Matcher reference = REFERENCE.matcher(source);
                while (reference.find()) {
                    if (!reference.group(1).equals(pkg.group(1))) {
                        targets.add(reference.group(1));
                    }
                }
            }
        }
        return uses;
    }

    private static Set<String> packagesOf(String module) throws IOException {
        Set<String> packages = new TreeSet<>();
        for (Path file : sources(module)) {
            Matcher pkg = PACKAGE.matcher(Files.readString(file));
            if (pkg.find()) {
                packages.add(pkg.group(1));
            }
        }
        return packages;
    }

    private static List<Path> sources(String module) throws IOException {
        Path root = Path.of("..", module, "src", "main", "java");
        assertThat(root).as(module + " sources").isDirectory();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }

    /** Tarjan's strongly connected components with more than one package. */
    private static List<Set<String>> cycles(Map<String, Set<String>> uses) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> found = new ArrayList<>();
        int[] counter = {0};
        for (String start : uses.keySet()) {
            if (!index.containsKey(start)) {
                connect(start, uses, index, low, stack, onStack, found, counter);
            }
        }
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> uses, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
            Set<String> onStack, List<Set<String>> found, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : uses.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, uses, index, low, stack, onStack, found, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }
}
