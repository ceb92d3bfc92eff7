package io.loopline.state.records;

import io.loopline.state.serialization.RawEventSerializer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

class RawEventSerializerTest extends SerializerTestBase<RawEvent> {
    @Override
    protected TypeSerializer<RawEvent> createSerializer() {
        return new RawEventSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<RawEvent> getTypeClass() {
        return RawEvent.class;
    }

    @Override
    protected RawEvent[] getTestData() {
        return new RawEvent[] {
            new RawEvent("k".getBytes(StandardCharsets.UTF_8), "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "events-0@1", 5L),
            new RawEvent(null, null, null, -1L),
            new RawEvent(new byte[0], new byte[70_000], "file.jsonl:12", 0L),
        };
    }
}
