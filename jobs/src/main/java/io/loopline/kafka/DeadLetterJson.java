package io.loopline.kafka;

import io.loopline.state.records.DeadLetter;
import java.util.Base64;

/** The JSON form of a dead letter, the same in the dead-letter topic and in dead-letter files. */
public final class DeadLetterJson {
    private DeadLetterJson() {}

    public static byte[] encode(DeadLetter d) {
        return Json.object(json -> {
            json.writeStringField("reason", d.reason());
            if (d.field() != null) {
                json.writeStringField("field", d.field());
            }
            json.writeStringField("detail", d.detail());
            json.writeStringField("source", d.source());
            json.writeStringField("rawBase64", d.raw() == null ? null : Base64.getEncoder().encodeToString(d.raw()));
            json.writeNumberField("time", d.time());
        });
    }
}
