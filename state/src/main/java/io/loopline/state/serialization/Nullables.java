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

    /**
     * Reads what {@link #writeString} wrote. The same format as {@link StringValue#readString}, whose
     * shared buffer is a thread-local: in a task thread that also runs DL4J and RocksDB it was a slow
     * lookup on every string of every event read from state or the network. This reads into a fresh
     * array, the size of the string.
     */
    public static String readString(DataInputView in) throws IOException {
        int lengthPlusOne = readVarint(in);
        if (lengthPlusOne == 0) {
            return null;
        }
        int length = lengthPlusOne - 1;
        byte[] latin1 = new byte[length];
        for (int i = 0; i < length; i++) {
            int c = readVarint(in);
            if (c > 0xFF) {
                return readWide(in, latin1, i, (char) c, length);
            }
            latin1[i] = (byte) c;
        }
        return new String(latin1, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The rest of a string with a character beyond Latin-1 at {@code at}, after its first {@code at} characters. */
    private static String readWide(DataInputView in, byte[] latin1, int at, char first, int length) throws IOException {
        char[] chars = new char[length];
        for (int i = 0; i < at; i++) {
            chars[i] = (char) (latin1[i] & 0xFF);
        }
        chars[at] = first;
        for (int i = at + 1; i < length; i++) {
            chars[i] = (char) readVarint(in);
        }
        return new String(chars);
    }

    /** StringValue's variable-length unsigned int: 7 bits a byte, least significant first, high bit set on all but the last. */
    private static int readVarint(DataInputView in) throws IOException {
        int value = in.readUnsignedByte();
        if (value < 0x80) {
            return value;
        }
        value &= 0x7F;
        int shift = 7;
        int next;
        while ((next = in.readUnsignedByte()) >= 0x80) {
            value |= (next & 0x7F) << shift;
            shift += 7;
        }
        return value | (next << shift);
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
