package io.loopline.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Small helper to write one flat JSON object per record without an intermediate tree. */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** Writes the fields of one object. */
    @FunctionalInterface
    public interface ObjectWriter {
        void write(JsonGenerator json) throws IOException;
    }

    private Json() {}

    public static byte[] object(ObjectWriter fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (JsonGenerator json = FACTORY.createGenerator(bytes)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
