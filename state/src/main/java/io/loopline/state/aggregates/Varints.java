package io.loopline.state.aggregates;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Variable-length longs, 7 bits a byte, least significant first (as protobuf's); signed ones zig-zag encoded. */
final class Varints {
    private Varints() {}

    static void writeUnsigned(long value, DataOutputView out) throws IOException {
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    static long readUnsigned(DataInputView in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return value;
            }
        }
        throw new IOException("malformed varint: more than 10 bytes");
    }

    static void writeSigned(long value, DataOutputView out) throws IOException {
        writeUnsigned(value << 1 ^ value >> 63, out);
    }

    static long readSigned(DataInputView in) throws IOException {
        long zigzag = readUnsigned(in);
        return zigzag >>> 1 ^ -(zigzag & 1);
    }
}
