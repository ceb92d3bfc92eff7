package io.loopline.operators.training;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites a model artifact (a DL4J model zip) so that it holds only the entries a network is made
 * of, before DL4J reads it. DL4J's reader Java-deserializes a {@code preprocessor.bin} entry when one
 * is present: an artifact from an untrusted writer must never reach it with one. Rebuilding the zip
 * (rather than checking the names and passing the original on) also rules out archives whose local
 * headers and central directory disagree. Inflated sizes are capped against zip bombs.
 */
final class ArtifactEntries {
    /** What {@code ModelSerializer.writeModel} writes for a multi-layer network; nothing here is Java-serialized. */
    static final Set<String> ALLOWED = Set.of("configuration.json", "coefficients.bin", "updaterState.bin", "noParams.marker");

    private ArtifactEntries() {}

    static byte[] onlyNetworkEntries(byte[] artifact, long maxInflatedBytes) throws UnsafeArtifactException, IOException {
        var rebuilt = new ByteArrayOutputStream(artifact.length);
        Set<String> seen = new HashSet<>();
        long inflated = 0;
        byte[] buffer = new byte[64 * 1024];
        try (var in = new ZipInputStream(new ByteArrayInputStream(artifact)); var out = new ZipOutputStream(rebuilt)) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                String name = entry.getName();
                if (!ALLOWED.contains(name)) {
                    throw new UnsafeArtifactException("unsafe-artifact", "the artifact holds an entry '" + name
                            + "'; a network artifact may only hold " + ALLOWED);
                }
                if (!seen.add(name)) {
                    throw new UnsafeArtifactException("unsafe-artifact", "the artifact holds '" + name + "' twice");
                }
                out.putNextEntry(new ZipEntry(name));
                int n;
                while ((n = in.read(buffer)) > 0) {
                    inflated += n;
                    if (inflated > maxInflatedBytes) {
                        throw new UnsafeArtifactException("artifact-too-large", "the artifact inflates to more than " + maxInflatedBytes + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
                out.closeEntry();
            }
        }
        if (!seen.contains("configuration.json")) {
            throw new UnsafeArtifactException("corrupt-artifact", "the artifact is not a model zip: no configuration.json"
                    + (seen.isEmpty() ? " (no zip entries at all)" : ""));
        }
        return rebuilt.toByteArray();
    }
}
