package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.cli.Loopline;
import io.loopline.kafka.DeadLetterJson;
import io.loopline.kafka.DeadLetterTopic;
import io.loopline.kafka.KafkaConnection;
import io.loopline.kafka.KafkaTopics;
import io.loopline.state.records.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code loopline dead-letters replay} on the real broker: the chosen reasons' original bytes and keys, and nothing else. */
class DeadLettersCommandITCase {
    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @Test
    void replaysTheOriginalBytesOfTheChosenReasonsWithTheirKeys() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of("dead-letters", 2, "events-fixed", 1), Set.of(), Duration.ofSeconds(30));
        List<DeadLetter> letters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            letters.add(letter("wrong-type", "amount", "card-" + i, "{\"event_id\":\"w" + i + "\",\"amount\":\"9\"}"));
        }
        letters.add(letter("malformed-json", null, "card-9", "{\"event_id\":"));
        letters.add(letter("wrong-type", "country", "card-big", "{\"country\":\"" + "D".repeat(600_000) + "\"}"));
        List<LearningStreams.Keyed> records = letters.stream().map(d -> new LearningStreams.Keyed(-1, d.key(), DeadLetterJson.encode(d))).toList();
        LearningStreams.write(bootstrap, "dead-letters", records);

        int exit = Loopline.commandLine().execute("dead-letters", "replay", "--bootstrap-servers", bootstrap, "--reason", "wrong-type",
                "--to", "events-fixed");
        assertThat(exit).isZero();

        List<ConsumerRecord<byte[], byte[]>> replayed = CommittedRecords.readAll(bootstrap, "events-fixed", Duration.ofSeconds(30));
        assertThat(replayed.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8) + "=" + new String(r.value(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet())).as("the three wrong-type events whose bytes were kept whole")
                .containsExactlyInAnyOrder("card-0={\"event_id\":\"w0\",\"amount\":\"9\"}", "card-1={\"event_id\":\"w1\",\"amount\":\"9\"}",
                        "card-2={\"event_id\":\"w2\",\"amount\":\"9\"}");

        var all = new DeadLetterTopic(KafkaConnection.of(bootstrap), "dead-letters").readAll(Duration.ofSeconds(30));
        assertThat(DeadLetterTopic.countByReasonAndField(all))
                .isEqualTo(Map.of("wrong-type", Map.of("amount", 3L, "country", 1L), "malformed-json", Map.of("-", 1L)));
        assertThat(all).filteredOn(DeadLetterTopic.Letter::truncated).singleElement()
                .satisfies(l -> assertThat(l.raw()).hasSize(DeadLetterJson.MAX_RAW_BYTES));
        assertThat(Loopline.commandLine().execute("dead-letters", "summary", "--bootstrap-servers", bootstrap)).isZero();
    }

    private static DeadLetter letter(String reason, String field, String key, String raw) {
        return new DeadLetter(reason, field, "detail of " + reason, "events-0@1", key.getBytes(StandardCharsets.UTF_8),
                raw.getBytes(StandardCharsets.UTF_8), 1L);
    }
}
