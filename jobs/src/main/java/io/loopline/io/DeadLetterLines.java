package io.loopline.io;

import io.loopline.kafka.DeadLetterJson;
import io.loopline.state.records.DeadLetter;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.flink.api.common.serialization.Encoder;

/** Dead letters as JSON lines, for dead-letter files. */
public final class DeadLetterLines implements Encoder<DeadLetter> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(DeadLetter deadLetter, OutputStream out) throws IOException {
        out.write(DeadLetterJson.encode(deadLetter));
        out.write('\n');
    }
}
