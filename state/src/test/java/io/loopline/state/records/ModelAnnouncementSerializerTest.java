package io.loopline.state.records;

import io.loopline.state.serialization.ModelAnnouncementSerializer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopline.state.records.ModelAnnouncement.Role;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ModelAnnouncementSerializerTest extends SerializerTestBase<ModelAnnouncement> {
    @Override
    protected TypeSerializer<ModelAnnouncement> createSerializer() {
        return new ModelAnnouncementSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ModelAnnouncement> getTypeClass() {
        return ModelAnnouncement.class;
    }

    @Override
    protected ModelAnnouncement[] getTestData() {
        return new ModelAnnouncement[] {
            new ModelAnnouncement("fraud", 3, "ab12"),
            new ModelAnnouncement("fraud", 4, "cd34", Role.SHADOW, 0),
            new ModelAnnouncement("fraud", 5, "ef56", Role.CANARY, 0.125),
            new ModelAnnouncement("ünïcødé", Long.MAX_VALUE, "", Role.END_TRIAL, 0),
        };
    }

    @Test
    void readsFormatOneAsAChampion() throws Exception {
        // Written the way format 1 wrote it: if Nullables changes, this test says so.
        var format1 = new DataOutputSerializer(64);
        format1.writeByte(1);
        io.loopline.state.serialization.Nullables.writeString("fraud", format1);
        format1.writeLong(7);
        io.loopline.state.serialization.Nullables.writeString("ab12", format1);
        ModelAnnouncement read = new ModelAnnouncementSerializer().deserialize(new DataInputDeserializer(format1.getCopyOfBuffer()));
        assertThat(read).isEqualTo(new ModelAnnouncement("fraud", 7, "ab12", Role.CHAMPION, 0));
    }

    @Test
    void aCanaryNeedsAShareAndOnlyACanaryHasOne() {
        assertThatThrownBy(() -> new ModelAnnouncement("fraud", 2, "ab", Role.CANARY, 0)).hasMessageContaining("canary share");
        assertThatThrownBy(() -> new ModelAnnouncement("fraud", 2, "ab", Role.CANARY, 1.5)).hasMessageContaining("canary share");
        assertThatThrownBy(() -> new ModelAnnouncement("fraud", 2, "ab", Role.SHADOW, 0.5)).hasMessageContaining("canary share");
        assertThat(Role.fromWireName("end-trial")).isEqualTo(Role.END_TRIAL);
        assertThatThrownBy(() -> Role.fromWireName("beta")).hasMessageContaining("unknown model role 'beta'");
    }
}
