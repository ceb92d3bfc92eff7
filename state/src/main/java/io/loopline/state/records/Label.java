package io.loopline.state.records;

import java.util.Objects;

/** An outcome that arrived for an event (a chargeback, a click): the event's id, the label, and when it was observed (event time). */
public record Label(String eventId, double value, long timestamp) {

    public Label {
        Objects.requireNonNull(eventId, "eventId");
    }
}
