package io.loopline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class LocalKafkaClusterIdTest {

    @Test
    void clusterIdsAreSixteenBytesOfUrlSafeBase64AndNeverLookLikeAnOption() {
        // One id in 64 would start with '-' without the check; 5,000 draws make a miss all but certain to show.
        for (int i = 0; i < 5_000; i++) {
            String id = LocalKafka.randomClusterId();
            assertThat(id).hasSize(22).doesNotStartWith("-");
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
        }
    }
}
