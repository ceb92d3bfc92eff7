package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/k8s: well-formed YAML, and every FlinkDeployment field checked against the Flink
 * Kubernetes Operator's CRD schema (openAPIV3Schema from the operator's API artifact, 1.10.0, the
 * newest on Maven Central here): unknown fields, wrong types, values outside an enum, missing
 * required fields. One known gap: that release's {@code flinkVersion} enum ends at v1_20; Flink 2.2
 * needs an operator release that lists v2_2, so that one value is allowed explicitly.
 */
class KubernetesManifestsTest {
    private static final Path K8S = Path.of("..", "deploy", "k8s");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> schema() throws Exception {
        try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")) {
            assertThat(in).as("the operator's CRD on the test classpath").isNotNull();
            Map<String, Object> crd = new Yaml().load(in);
            Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
            Map<String, Object> version = ((List<Map<String, Object>>) spec.get("versions")).get(0);
            return (Map<String, Object>) ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema");
        }
    }

    @SuppressWarnings("unchecked")
    private static void validate(Object value, Map<String, Object> schema, String path, List<String> errors) {
        if (schema == null || Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields")) && !schema.containsKey("properties")) {
            return;
        }
        String type = (String) schema.get("type");
        if (schema.containsKey("enum") && !((List<Object>) schema.get("enum")).contains(String.valueOf(value))) {
            if (!(path.equals(".spec.flinkVersion") && value.equals("v2_2"))) {
                errors.add(path + ": '" + value + "' is not one of " + schema.get("enum"));
            }
        }
        if ("object".equals(type)) {
            if (!(value instanceof Map)) {
                errors.add(path + ": expected an object");
                return;
            }
            Map<String, Object> object = (Map<String, Object>) value;
            Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
            Object additional = schema.get("additionalProperties");
            for (String required : (List<String>) schema.getOrDefault("required", List.of())) {
                if (!object.containsKey(required)) {
                    errors.add(path + ": required field '" + required + "' is missing");
                }
            }
            for (var e : object.entrySet()) {
                if (path.isEmpty() && List.of("apiVersion", "kind", "metadata").contains(e.getKey())) {
                    continue; // every custom resource has them; the CRD schema describes spec and status
                }
                if (properties != null && properties.containsKey(e.getKey())) {
                    validate(e.getValue(), (Map<String, Object>) properties.get(e.getKey()), path + "." + e.getKey(), errors);
                } else if (additional instanceof Map) {
                    validate(e.getValue(), (Map<String, Object>) additional, path + "." + e.getKey(), errors);
                } else if (properties != null && !Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"))) {
                    errors.add(path + ": unknown field '" + e.getKey() + "'");
                }
            }
        } else if ("array".equals(type)) {
            if (!(value instanceof List)) {
                errors.add(path + ": expected an array");
                return;
            }
            int i = 0;
            for (Object item : (List<Object>) value) {
                validate(item, (Map<String, Object>) schema.get("items"), path + "[" + i++ + "]", errors);
            }
        } else if ("string".equals(type) && !(value instanceof String)) {
            errors.add(path + ": expected a string, got " + value);
        } else if ("integer".equals(type) && !(value instanceof Integer || value instanceof Long)) {
            errors.add(path + ": expected an integer, got " + value);
        } else if ("boolean".equals(type) && !(value instanceof Boolean)) {
            errors.add(path + ": expected a boolean, got " + value);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theFlinkDeploymentsMatchTheOperatorsSchema() throws Exception {
        Map<String, Object> schema = schema();
        int deployments = 0;
        try (var files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    Map<String, Object> manifest = (Map<String, Object>) document;
                    assertThat(manifest).as(file + " has apiVersion and kind").containsKeys("apiVersion", "kind", "metadata");
                    if (manifest.get("kind").equals("FlinkDeployment")) {
                        deployments++;
                        assertThat(manifest.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
                        List<String> errors = new ArrayList<>();
                        validate(manifest, schema, "", errors);
                        assertThat(errors).as(file.toString()).isEmpty();
                        Map<String, Object> job = (Map<String, Object>) ((Map<String, Object>) manifest.get("spec")).get("job");
                        assertThat(job.get("upgradeMode")).as("upgrades go through a savepoint").isEqualTo("savepoint");
                        assertThat((String) job.get("jarURI")).endsWith("loopline-jobs-job.jar");
                    }
                }
            }
        }
        assertThat(deployments).as("serving and learning").isEqualTo(2);
    }

    @Test
    void theValidatorCatchesMistakes() throws Exception {
        List<String> errors = new ArrayList<>();
        Map<String, Object> wrong = Map.of("apiVersion", "flink.apache.org/v1beta1", "kind", "FlinkDeployment", "metadata", Map.of("name", "x"),
                "spec", Map.of("flinkVersion", "v0_1", "jobb", Map.of(), "job", Map.of("parallelism", "four", "upgradeMode", "sometimes")));
        validate(wrong, schema(), "", errors);
        assertThat(String.join("\n", errors)).contains("unknown field 'jobb'", ".spec.flinkVersion", ".spec.job.parallelism", ".spec.job.upgradeMode");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDeploymentsCanReachS3SurviveAJobManagerLossAndTakeCredentialsFromSecrets() throws Exception {
        String config = Files.readString(K8S.resolve("loopline-config.yaml"));
        assertThat(config.toLowerCase(java.util.Locale.ROOT)).as("no credentials in the ConfigMap").doesNotContain("password", "jaas", "secret");
        for (String name : List.of("loopline-serving.yaml", "loopline-learning.yaml")) {
            String text = Files.readString(K8S.resolve(name));
            Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) new Yaml().load(text)).get("spec");
            Map<String, Object> flink = (Map<String, Object>) spec.get("flinkConfiguration");
            assertThat(flink).as(name).containsEntry("high-availability.type", "kubernetes");
            assertThat((String) flink.get("high-availability.storageDir")).as(name).startsWith("s3://");
            assertThat(text).as(name + ": s3:// paths need the S3 filesystem plugin enabled").contains("s3://")
                    .contains("name: ENABLE_BUILT_IN_PLUGINS", "flink-s3-fs-presto-2.2.0.jar");
            assertThat(text).as(name + ": S3 and Kafka credentials from Secrets").contains("secretKeyRef: {name: loopline-s3", "secretName: loopline-kafka");
            List<String> args = (List<String>) ((Map<String, Object>) spec.get("job")).get("args");
            assertThat(args).as(name).containsSubsequence("--config", "/opt/loopline/secrets/kafka.properties");
        }
        String secrets = Files.readString(K8S.resolve("loopline-secrets.example.yaml"));
        assertThat(secrets).contains("name: loopline-s3", "name: loopline-kafka", "kafka.properties:");
    }

    /** The image puts DL4J and its natives where the parent-first classloader finds them, and the job jar in usrlib/. */
    @Test
    void theImageLoadsDl4jOncePerTaskManager() throws Exception {
        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        assertThat(dockerfile).contains("COPY jobs/target/flink-lib/ /opt/flink/lib/", "COPY jobs/target/loopline-jobs-job.jar /opt/flink/usrlib/");
        for (String name : List.of("loopline-serving.yaml", "loopline-learning.yaml")) {
            assertThat(Files.readString(K8S.resolve(name))).as(name)
                    .contains("classloader.parent-first-patterns.additional: org.nd4j.;org.bytedeco.;org.deeplearning4j.", "local:///opt/flink/usrlib/");
        }
        Path flinkLib = Path.of("..", "jobs", "target", "flink-lib");
        List<String> copied;
        try (var files = Files.list(flinkLib)) {
            copied = files.map(f -> f.getFileName().toString()).sorted().toList();
        }
        assertThat(copied).as("the natives and what DL4J loads").anyMatch(f -> f.startsWith("nd4j-native-") && f.endsWith("-linux-x86_64.jar"))
                .anyMatch(f -> f.startsWith("javacpp-") && f.endsWith("-linux-x86_64.jar")).anyMatch(f -> f.startsWith("openblas-"))
                .anyMatch(f -> f.startsWith("deeplearning4j-nn-")).anyMatch(f -> f.startsWith("oshi-core-")).anyMatch(f -> f.startsWith("flatbuffers-java-"))
                .noneMatch(f -> f.startsWith("flink-") || f.startsWith("kafka") || f.startsWith("loopline"));
        // Every jar of the groups DL4J comes from that the CLI's classpath has is in lib/ too: nothing of DL4J left to the job's classloader.
        try (var files = Files.list(Path.of("..", "cli", "target", "lib"))) {
            List<String> dl4j = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith("nd4j-") || f.startsWith("deeplearning4j-") || f.startsWith("javacpp-") || f.startsWith("openblas-")).toList();
            assertThat(copied).containsAll(dl4j);
        }
    }
}
