package io.loopline.state.records;

/**
 * A record of the {@code models} topic: a new version of a model is available in the model store.
 * It carries the version and the artifact's checksum, never the weights; the scoring operator reads
 * the full metadata and the artifact from the store and verifies them.
 *
 * <p>The role says what the version is for: {@link Role#CHAMPION} serves every event; a trial runs
 * beside the champion, either as {@link Role#SHADOW} (scored on every event, its predictions logged,
 * never served) or as {@link Role#CANARY} (serves the entities whose key hash falls in the first
 * {@code canaryShare} of the hash space, the same entities on every subtask and after a restart).
 * {@link Role#END_TRIAL} ends the trial of that version; a champion at or above the trial's version
 * ends it too (the challenger was promoted).
 */
public record ModelAnnouncement(String name, long version, String sha256, Role role, double canaryShare) {

    /** What an announced version is for. */
    public enum Role {
        CHAMPION,
        SHADOW,
        CANARY,
        END_TRIAL;

        /** The name on the topic and the command line: {@code champion}, {@code shadow}, {@code canary}, {@code end-trial}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public static Role fromWireName(String name) {
            for (Role role : values()) {
                if (role.wireName().equals(name)) {
                    return role;
                }
            }
            throw new IllegalArgumentException("unknown model role '" + name + "'; expected champion, shadow, canary or end-trial");
        }
    }

    public ModelAnnouncement {
        if (role == null) {
            throw new IllegalArgumentException("an announcement needs a role");
        }
        if (role == Role.CANARY ? !(canaryShare > 0 && canaryShare <= 1) : canaryShare != 0) {
            throw new IllegalArgumentException("the canary share must be in (0, 1] for a canary and 0 otherwise, got " + canaryShare + " for a "
                    + role.wireName());
        }
    }

    /** A version to serve every event. */
    public ModelAnnouncement(String name, long version, String sha256) {
        this(name, version, sha256, Role.CHAMPION, 0);
    }

    public boolean isTrial() {
        return role == Role.SHADOW || role == Role.CANARY;
    }
}
