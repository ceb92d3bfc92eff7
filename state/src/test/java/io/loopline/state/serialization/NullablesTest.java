package io.loopline.state.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

class NullablesTest {

    @Test
    void readsEveryKindOfStringAsFlinksReaderDoes() throws IOException {
        List<String> values = new ArrayList<>(List.of("", "card-42", "\u0000", "\u007f", "\u0080", "caf\u00e9 \u00ff",
                "\u0100", "\u4e2d\u6587", "emoji \ud83d\ude00 ok", "x".repeat(2048), "\u00e9".repeat(2049), "a\u20acb".repeat(700)));
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = (char) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(0x100));
            }
            values.add(new String(chars));
        }
        values.add(null);

        DataOutputSerializer out = new DataOutputSerializer(64);
        for (String value : values) {
            Nullables.writeString(value, out);
        }
        byte[] bytes = out.getCopyOfBuffer();

        DataInputDeserializer ours = new DataInputDeserializer(bytes);
        DataInputDeserializer flinks = new DataInputDeserializer(bytes);
        for (String value : values) {
            String read = Nullables.readString(ours);
            assertThat(read).isEqualTo(value).isEqualTo(StringValue.readString(flinks));
        }
        assertThat(ours.available()).isZero();
    }

    @Test
    void readsStringsWrittenByFlinksWriter() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        StringValue.writeString("evt-\u00e91\u4e2d", out);
        StringValue.writeString(null, out);
        StringValue.writeString("DE", out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(Nullables.readString(in)).isEqualTo("evt-\u00e91\u4e2d");
        assertThat(Nullables.readString(in)).isNull();
        assertThat(Nullables.readString(in)).isEqualTo("DE");
    }
}
