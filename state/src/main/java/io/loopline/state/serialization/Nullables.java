package io.loopline.state.serialization;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/** Helpers for the nullable strings, byte arrays and arrays that Loopline's records carry. */
public final class Nullables {
    private Nullables() {}

    /** Nullable, any length; Flink's {@link StringValue} encoding, much faster than writeUTF. */
    public static void writeString(String value, DataOutputView out) throws IOException {
        StringValue.writeString(value, out);
    }

    public static String readString(DataInputView in) throws IOException {
        return StringValue.readString(in);
    }

    /** Strings longer than writeUTF's 64 KiB limit (raw payloads, error text) go as UTF-8 bytes. */
    public static void writeLongString(String value, DataOutputView out) throws IOException {
        writeBytes(value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8), out);
    }

    public static String readLongString(DataInputView in) throws IOException {
        byte[] bytes = readBytes(in);
        return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static void writeBytes(byte[] value, DataOutputView out) throws IOException {
        out.writeInt(value == null ? -1 : value.length);
        if (value != null) {
            out.write(value);
        }
    }

    public static byte[] readBytes(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    public static void writeDoubles(double[] values, DataOutputView out) throws IOException {
        out.writeInt(values.length);
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    public static double[] readDoubles(DataInputView in) throws IOException {
        double[] values = new double[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readDouble();
        }
        return values;
    }

    public static void writeStrings(String[] values, DataOutputView out) throws IOException {
        out.writeInt(values.length);
        for (String v : values) {
            writeString(v, out);
        }
    }

    public static String[] readStrings(DataInputView in) throws IOException {
        String[] values = new String[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = readString(in);
        }
        return values;
    }
}
