package io.loopline.operators.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class ArtifactEntriesTest {
    @Test
    void aNetworkArtifactPassesAndStillLoads() throws Exception {
        BinaryClassifier net = BinaryClassifier.create(3, new NetworkSettings(List.of(2), "tanh", 0.01, 0, 1, 8, 1));
        byte[] rebuilt = ArtifactEntries.onlyNetworkEntries(net.toBytes(), 1 << 20);
        double[][] row = {{0.1, 0.2, 0.3}};
        assertThat(BinaryClassifier.fromBytes(rebuilt).score(row, 1)).containsExactly(net.score(row, 1));
    }

    @Test
    void anArchiveThatInflatesPastTheLimitIsRefusedWhileReading() throws Exception {
        byte[] bomb = zip("configuration.json", "coefficients.bin", new byte[4 << 20]);
        assertThat(bomb.length).isLessThan(64 << 10);
        assertThatThrownBy(() -> ArtifactEntries.onlyNetworkEntries(bomb, 1 << 20))
                .isInstanceOfSatisfying(UnsafeArtifactException.class, e -> assertThat(e.reason()).isEqualTo("artifact-too-large"));
    }

    @Test
    void repeatedOrForeignEntriesAreRefused() throws Exception {
        // ZipOutputStream refuses a repeated name: write a same-length stand-in and patch the bytes.
        byte[] twice = zip("configuration.json", "Xonfiguration.json", new byte[1]);
        replaceAll(twice, "Xonfiguration.json", "configuration.json");
        assertThatThrownBy(() -> ArtifactEntries.onlyNetworkEntries(twice, 1 << 20))
                .isInstanceOfSatisfying(UnsafeArtifactException.class, e -> assertThat(e.getMessage()).contains("twice"));
        assertThatThrownBy(() -> ArtifactEntries.onlyNetworkEntries(zip("configuration.json", "../../evil.sh", new byte[1]), 1 << 20))
                .isInstanceOfSatisfying(UnsafeArtifactException.class, e -> assertThat(e.reason()).isEqualTo("unsafe-artifact"));
    }

    private static byte[] zip(String first, String second, byte[] secondContent) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new ZipOutputStream(bytes)) {
            out.putNextEntry(new ZipEntry(first));
            out.write('{');
            out.closeEntry();
            out.putNextEntry(new ZipEntry(second));
            out.write(secondContent);
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static void replaceAll(byte[] data, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + f.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, data, i, t.length);
            }
        }
    }
}
