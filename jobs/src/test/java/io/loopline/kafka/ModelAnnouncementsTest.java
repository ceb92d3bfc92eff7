package io.loopline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.state.model.ModelMetadata;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.ModelAnnouncement.Role;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class ModelAnnouncementsTest {
    private static final ModelMetadata V3 = new ModelMetadata("fraud", 3, 2L, Instant.parse("2026-11-28T12:00:00Z"), "dl4j", "transactions",
            List.of("amount"), null, null, 100, Map.of("validation.accuracy", 0.9), "ab12", 1024);

    private static List<ModelAnnouncement> read(byte[] value) {
        List<ModelAnnouncement> out = new ArrayList<>();
        new ModelAnnouncements.Deserializer().deserialize(new ConsumerRecord<>("models", 0, 0, null, value), new Collector<>() {
            @Override
            public void collect(ModelAnnouncement record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });
        return out;
    }

    @Test
    void rolesTravelOnTheTopic() {
        assertThat(read(ModelAnnouncements.encode(V3, "file:/m"))).containsExactly(new ModelAnnouncement("fraud", 3, "ab12"));
        assertThat(read(ModelAnnouncements.encode(V3, "file:/m", Role.SHADOW, 0)))
                .containsExactly(new ModelAnnouncement("fraud", 3, "ab12", Role.SHADOW, 0));
        assertThat(read(ModelAnnouncements.encode(V3, "file:/m", Role.CANARY, 0.05)))
                .containsExactly(new ModelAnnouncement("fraud", 3, "ab12", Role.CANARY, 0.05));
        assertThat(read(ModelAnnouncements.encode(V3, "file:/m", Role.END_TRIAL, 0)))
                .containsExactly(new ModelAnnouncement("fraud", 3, "ab12", Role.END_TRIAL, 0));
    }

    @Test
    void anAnnouncementWithoutARoleIsAChampionAndABadOneIsSkipped() {
        assertThat(read("{\"name\":\"fraud\",\"version\":2,\"sha256\":\"cd\"}".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(new ModelAnnouncement("fraud", 2, "cd"));
        assertThat(read("{\"name\":\"fraud\",\"version\":2,\"sha256\":\"cd\",\"role\":\"beta\"}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(read("{\"name\":\"fraud\",\"version\":2,\"sha256\":\"cd\",\"role\":\"canary\",\"canaryShare\":2}".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
    }
}
