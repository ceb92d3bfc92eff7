package io.loopline.operators.learning;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.loopline.state.records.RawEvent;
import java.io.IOException;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * The event time of a raw JSON record, read from one top-level field (epoch millis) with a
 * streaming parser that stops at that field, so a source can assign timestamps before decoding.
 * With it a Kafka source keeps one watermark per partition and forwards their minimum: a partition
 * read ahead of another (after a restart, or when one is busier) never makes the other's records
 * late. A record without a readable time gets {@link Long#MIN_VALUE}, which moves no watermark; the
 * decoder then dead-letters it with the reason.
 */
public final class JsonRecordTime implements SerializableTimestampAssigner<RawEvent> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String field;

    public JsonRecordTime(String field) {
        this.field = field;
    }

    @Override
    public long extractTimestamp(RawEvent record, long recordTimestamp) {
        return record.value() == null ? Long.MIN_VALUE : epochMillis(record.value());
    }

    long epochMillis(byte[] json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Long.MIN_VALUE;
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                boolean wanted = field.equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (wanted) {
                    return switch (value) {
                        case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? Long.MIN_VALUE : parser.getLongValue();
                        case VALUE_NUMBER_FLOAT -> wholeMillis(parser.getDoubleValue());
                        default -> Long.MIN_VALUE;
                    };
                }
                parser.skipChildren();
            }
            return Long.MIN_VALUE;
        } catch (IOException | RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }

    private static long wholeMillis(double value) {
        return Double.isFinite(value) && value >= Long.MIN_VALUE && value <= Long.MAX_VALUE ? (long) value : Long.MIN_VALUE;
    }
}
