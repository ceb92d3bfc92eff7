package io.loopline.operators.retraining;

import io.loopline.operators.drift.detectors.DetectorName;
import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Everything the continual trainer decides with, as checkpointed: how many labelled examples it has
 * seen and buffered, what it did so far, the trigger policy's memory, the last live accuracy of the
 * recent versions, and the one pending thing each of probation, shadow trial and drift wait can be.
 * The challenger in training (its network and rows) is checkpointed beside it: it is data, not a decision.
 *
 * @param seen labelled examples that reached the trainer since the job began
 * @param buffered examples in the training buffer
 * @param trainingRows rows fed to gradient steps by finished runs
 * @param championVersion the version serving (a shadow never is)
 * @param lastAccuracy the newest live accuracy of up to {@link TrainerDecisions#REMEMBERED_VERSIONS} versions, oldest first
 * @param probation a promoted version watched for a rollback, or null
 * @param shadow a challenger on trial beside the champion, or null
 * @param driftWait an admitted drift trigger waiting for examples after its change point, or null
 */
public record TrainerState(long seen, long buffered, long trainingRows, long promoted, long rejected, long rolledBack, long championVersion,
        TriggerMemory triggers, List<VersionAccuracy> lastAccuracy, Probation probation, ShadowTrial shadow, DriftWait driftWait) {

    public static final TypeInformation<TrainerState> TYPE_INFO = new RecordTypeInfo<>(TrainerState.class, new Serializer());

    public TrainerState {
        lastAccuracy = List.copyOf(lastAccuracy);
    }

    /** A trainer that has seen nothing, with {@code championVersion} serving. */
    public static TrainerState initial(long championVersion) {
        return new TrainerState(0, 0, 0, 0, 0, 0, championVersion, TriggerMemory.NONE, List.of(), null, null, null);
    }

    /** The trigger policy's memory ({@link RetrainTriggers}). */
    public record TriggerMemory(long lastAdmitted, long examplesSinceAdmitted, long nextScheduled, List<Long> recentAdmissions) {
        static final TriggerMemory NONE = new TriggerMemory(Long.MIN_VALUE, 0, Long.MIN_VALUE, List.of());

        public TriggerMemory {
            recentAdmissions = List.copyOf(recentAdmissions);
        }
    }

    public record VersionAccuracy(long version, double accuracy) {}

    /** A promoted version on probation: compared with its predecessor's last live accuracy. */
    public record Probation(long version, long previous, double previousAccuracy) {}

    /**
     * A challenger that passed the holdout, running as a shadow beside {@code champion} since
     * {@code seenAtStart} examples; given up at {@code deadline} (processing time) without a verdict.
     */
    public record ShadowTrial(long version, long champion, long seenAtStart, long deadline, ShadowTally tally) {}

    /** The shadow and champion accuracies summed over the windows both reported, and the windows still waiting for the other side. */
    public record ShadowTally(double championCorrect, double championCount, double shadowCorrect, double shadowCount, List<Window> championPending,
            List<Window> shadowPending) {
        static final ShadowTally EMPTY = new ShadowTally(0, 0, 0, 0, List.of(), List.of());

        public ShadowTally {
            championPending = List.copyOf(championPending);
            shadowPending = List.copyOf(shadowPending);
        }
    }

    /** One event-time window's correct predictions and examples. */
    public record Window(long start, double correct, double count) {}

    /** An admitted drift trigger: {@code detector} found a change point at {@code changePoint}, when {@code seenAtTrigger} examples had been seen. */
    public record DriftWait(DetectorName detector, long changePoint, long seenAtTrigger) {}

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<TrainerState> {
        private static final long serialVersionUID = 1L;

        @Override
        public TrainerState createInstance() {
            return initial(0);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(TrainerState s, DataOutputView out) throws IOException {
            out.writeLong(s.seen);
            out.writeLong(s.buffered);
            out.writeLong(s.trainingRows);
            out.writeLong(s.promoted);
            out.writeLong(s.rejected);
            out.writeLong(s.rolledBack);
            out.writeLong(s.championVersion);
            out.writeLong(s.triggers.lastAdmitted());
            out.writeLong(s.triggers.examplesSinceAdmitted());
            out.writeLong(s.triggers.nextScheduled());
            out.writeInt(s.triggers.recentAdmissions().size());
            for (long t : s.triggers.recentAdmissions()) {
                out.writeLong(t);
            }
            out.writeInt(s.lastAccuracy.size());
            for (VersionAccuracy a : s.lastAccuracy) {
                out.writeLong(a.version());
                out.writeDouble(a.accuracy());
            }
            out.writeBoolean(s.probation != null);
            if (s.probation != null) {
                out.writeLong(s.probation.version());
                out.writeLong(s.probation.previous());
                out.writeDouble(s.probation.previousAccuracy());
            }
            out.writeBoolean(s.shadow != null);
            if (s.shadow != null) {
                out.writeLong(s.shadow.version());
                out.writeLong(s.shadow.champion());
                out.writeLong(s.shadow.seenAtStart());
                out.writeLong(s.shadow.deadline());
                ShadowTally t = s.shadow.tally();
                out.writeDouble(t.championCorrect());
                out.writeDouble(t.championCount());
                out.writeDouble(t.shadowCorrect());
                out.writeDouble(t.shadowCount());
                writeWindows(t.championPending(), out);
                writeWindows(t.shadowPending(), out);
            }
            out.writeBoolean(s.driftWait != null);
            if (s.driftWait != null) {
                out.writeUTF(s.driftWait.detector().wireName());
                out.writeLong(s.driftWait.changePoint());
                out.writeLong(s.driftWait.seenAtTrigger());
            }
        }

        private static void writeWindows(List<Window> windows, DataOutputView out) throws IOException {
            out.writeInt(windows.size());
            for (Window w : windows) {
                out.writeLong(w.start());
                out.writeDouble(w.correct());
                out.writeDouble(w.count());
            }
        }

        @Override
        protected TrainerState readRecord(int formatVersion, DataInputView in) throws IOException {
            long seen = in.readLong();
            long buffered = in.readLong();
            long trainingRows = in.readLong();
            long promoted = in.readLong();
            long rejected = in.readLong();
            long rolledBack = in.readLong();
            long champion = in.readLong();
            long lastAdmitted = in.readLong();
            long sinceAdmitted = in.readLong();
            long nextScheduled = in.readLong();
            List<Long> recent = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                recent.add(in.readLong());
            }
            List<VersionAccuracy> accuracies = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                accuracies.add(new VersionAccuracy(in.readLong(), in.readDouble()));
            }
            Probation probation = in.readBoolean() ? new Probation(in.readLong(), in.readLong(), in.readDouble()) : null;
            ShadowTrial shadow = null;
            if (in.readBoolean()) {
                long version = in.readLong();
                long shadowChampion = in.readLong();
                long seenAtStart = in.readLong();
                long deadline = in.readLong();
                ShadowTally tally = new ShadowTally(in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), readWindows(in), readWindows(in));
                shadow = new ShadowTrial(version, shadowChampion, seenAtStart, deadline, tally);
            }
            DriftWait driftWait = null;
            if (in.readBoolean()) {
                String detector = in.readUTF();
                driftWait = new DriftWait(DetectorName.of(detector).orElseThrow(() -> new IOException("unknown detector in trainer state: " + detector)),
                        in.readLong(), in.readLong());
            }
            return new TrainerState(seen, buffered, trainingRows, promoted, rejected, rolledBack, champion,
                    new TriggerMemory(lastAdmitted, sinceAdmitted, nextScheduled, recent), accuracies, probation, shadow, driftWait);
        }

        private static List<Window> readWindows(DataInputView in) throws IOException {
            List<Window> windows = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                windows.add(new Window(in.readLong(), in.readDouble(), in.readDouble()));
            }
            return windows;
        }

        @Override
        public TypeSerializerSnapshot<TrainerState> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TrainerState> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
