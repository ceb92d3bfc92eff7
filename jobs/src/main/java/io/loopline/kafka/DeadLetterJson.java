package io.loopline.kafka;

import io.loopline.state.records.DeadLetter;
import java.util.Base64;

/** The JSON form of a dead letter, the same in the dead-letter topic and in dead-letter files. */
public final class DeadLetterJson {
    /**
     * Raw bytes kept in a dead letter. Base64 adds a third: a 900 KB event that fit under the broker's
     * 1 MB record limit would not fit once dead-lettered, and the sink would fail the job on it.
     */
    public static final int MAX_RAW_BYTES = 512 * 1024;

    private DeadLetterJson() {}

    public static byte[] encode(DeadLetter d) {
        return Json.object(json -> {
            json.writeStringField("reason", d.reason());
            if (d.field() != null) {
                json.writeStringField("field", d.field());
            }
            json.writeStringField("detail", d.detail());
            json.writeStringField("source", d.source());
            byte[] raw = d.raw();
            if (raw == null) {
                json.writeNullField("rawBase64");
            } else {
                boolean truncated = raw.length > MAX_RAW_BYTES;
                json.writeStringField("rawBase64", Base64.getEncoder().encodeToString(truncated ? java.util.Arrays.copyOf(raw, MAX_RAW_BYTES) : raw));
                json.writeNumberField("rawBytes", raw.length);
                if (truncated) {
                    json.writeBooleanField("rawTruncated", true);
                }
            }
            json.writeNumberField("time", d.time());
        });
    }
}
