package io.loopline.state.records;

import io.loopline.state.serialization.DeadLetterSerializer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

class DeadLetterSerializerTest extends SerializerTestBase<DeadLetter> {
    @Override
    protected TypeSerializer<DeadLetter> createSerializer() {
        return new DeadLetterSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<DeadLetter> getTypeClass() {
        return DeadLetter.class;
    }

    @Override
    protected DeadLetter[] getTestData() {
        return new DeadLetter[] {
            new DeadLetter("malformed-json", null, "Unexpected end-of-input", "events-1@7", "card-1".getBytes(StandardCharsets.UTF_8),
                    "{\"x\":".getBytes(StandardCharsets.UTF_8), 123L),
            new DeadLetter("wrong-type", "amount", "x".repeat(100_000), null, null, null, 0L),
        };
    }
}
