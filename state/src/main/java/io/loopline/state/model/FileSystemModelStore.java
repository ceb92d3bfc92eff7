package io.loopline.state.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * A model store on any Flink FileSystem (local folders in the demo; s3://, hdfs:// by path).
 *
 * <p>Layout: {@code <root>/<name>/v<version>/artifact} and {@code metadata.json}. Publishing writes
 * both into a folder under {@code <root>/.staging}, then renames it to the version folder: a half-written version is
 * never visible. On file systems without atomic folder renames (object stores), the metadata file
 * is written last and readers only see version folders that have it. Two publishers racing for a
 * version number: the rename of the loser fails and it takes the next number.
 */
public final class FileSystemModelStore implements ModelStore {
    static final String ARTIFACT = "artifact";
    static final String METADATA = "metadata.json";
    static final String STAGING = ".staging";
    private static final int PUBLISH_ATTEMPTS = 20;

    private final Path root;
    private final Clock clock;

    public FileSystemModelStore(Path root) {
        this(root, Clock.systemUTC());
    }

    FileSystemModelStore(Path root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    @Override
    public ModelMetadata publish(ModelDraft draft, byte[] artifact) throws IOException {
        FileSystem fs = root.getFileSystem();
        Path modelDir = new Path(root, draft.name());
        fs.mkdirs(modelDir);
        String sha = Sha256.of(artifact);
        for (int attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
            long version = latest(draft.name()).map(ModelMetadata::version).orElse(0L) + 1;
            ModelMetadata metadata = new ModelMetadata(draft.name(), version, draft.parent(), clock.instant(), draft.format(),
                    draft.featureSpec(), draft.featureNames(), draft.trainedFrom(), draft.trainedTo(), draft.trainingRows(), draft.metrics(),
                    sha, artifact.length);
            // Staging lives outside the model's folder: listings of the model never see a folder vanish.
            Path staging = new Path(new Path(root, STAGING), draft.name() + "-" + UUID.randomUUID());
            write(fs, new Path(staging, ARTIFACT), artifact);
            write(fs, new Path(staging, METADATA), metadata.toJson());
            Path target = versionDir(draft.name(), version);
            if (renamed(fs, staging, target)) {
                return metadata;
            }
            fs.delete(staging, true);
        }
        throw new IOException("could not publish a version of '" + draft.name() + "' after " + PUBLISH_ATTEMPTS + " attempts: too many concurrent publishers");
    }

    @Override
    public List<String> names() throws IOException {
        FileSystem fs = root.getFileSystem();
        List<String> names = new ArrayList<>();
        if (!fs.exists(root)) {
            return names;
        }
        for (FileStatus status : fs.listStatus(root)) {
            String name = status.getPath().getName();
            if (status.isDir() && !name.startsWith(".") && !versions(name).isEmpty()) {
                names.add(name);
            }
        }
        names.sort(null);
        return names;
    }

    @Override
    public List<ModelMetadata> versions(String name) throws IOException {
        ModelMetadata.requireValidName(name);
        FileSystem fs = root.getFileSystem();
        Path modelDir = new Path(root, name);
        List<ModelMetadata> versions = new ArrayList<>();
        if (!fs.exists(modelDir)) {
            return versions;
        }
        for (FileStatus status : fs.listStatus(modelDir)) {
            String dir = status.getPath().getName();
            if (status.isDir() && dir.matches("v[0-9]+")) {
                Path metadataFile = new Path(status.getPath(), METADATA);
                if (fs.exists(metadataFile)) {
                    versions.add(ModelMetadata.fromJson(read(fs, metadataFile)));
                }
            }
        }
        versions.sort(Comparator.comparingLong(ModelMetadata::version));
        return versions;
    }

    @Override
    public Optional<ModelMetadata> get(String name, long version) throws IOException {
        ModelMetadata.requireValidName(name);
        Path metadataFile = new Path(versionDir(name, version), METADATA);
        FileSystem fs = root.getFileSystem();
        return fs.exists(metadataFile) ? Optional.of(ModelMetadata.fromJson(read(fs, metadataFile))) : Optional.empty();
    }

    @Override
    public byte[] readArtifact(ModelMetadata metadata) throws IOException {
        Path file = new Path(versionDir(metadata.name(), metadata.version()), ARTIFACT);
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(file)) {
            throw new CorruptModelException("artifact of " + metadata.name() + " v" + metadata.version() + " is missing at " + file);
        }
        long length = fs.getFileStatus(file).getLen();
        if (length != metadata.artifactBytes()) {
            // Checked before reading: a file much larger than its metadata says is never pulled onto the heap.
            throw new CorruptModelException("artifact of " + metadata.name() + " v" + metadata.version() + " has " + length
                    + " bytes, its metadata says " + metadata.artifactBytes());
        }
        byte[] bytes = read(fs, file);
        if (bytes.length != metadata.artifactBytes()) {
            throw new CorruptModelException("artifact of " + metadata.name() + " v" + metadata.version() + " has " + bytes.length
                    + " bytes, its metadata says " + metadata.artifactBytes());
        }
        String sha = Sha256.of(bytes);
        if (!sha.equals(metadata.sha256())) {
            throw new CorruptModelException("artifact of " + metadata.name() + " v" + metadata.version() + " has SHA-256 " + sha
                    + ", its metadata says " + metadata.sha256());
        }
        return bytes;
    }

    @Override
    public String artifactUri(ModelMetadata metadata) {
        return new Path(versionDir(metadata.name(), metadata.version()), ARTIFACT).toUri().toString();
    }

    /** False when another publisher took the version first (some file systems say so with an exception). */
    private static boolean renamed(FileSystem fs, Path staging, Path target) throws IOException {
        if (fs.exists(target)) {
            return false;
        }
        try {
            return fs.rename(staging, target);
        } catch (IOException e) {
            if (fs.exists(target)) {
                return false;
            }
            throw e;
        }
    }

    private Path versionDir(String name, long version) {
        return new Path(new Path(root, name), "v" + version);
    }

    private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(file, FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(bytes);
        }
    }

    private static byte[] read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }
}
