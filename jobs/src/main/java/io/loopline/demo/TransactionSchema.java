package io.loopline.demo;

import io.loopline.state.schema.EventSchema;
import io.loopline.state.schema.TimeFormat;
import java.util.List;
import java.util.Set;

/** The fields of the demo's synthetic card transactions. */
public final class TransactionSchema {
    public static final String EVENT_ID = "event_id";
    public static final String CARD_ID = "card_id";
    public static final String TIME = "ts";
    public static final String AMOUNT = "amount";
    public static final String CARD_AGE_DAYS = "card_age_days";
    public static final String MERCHANT_CATEGORY = "merchant_category";
    public static final String COUNTRY = "country";
    public static final String DEVICE = "device";
    public static final String LABEL = "is_fraud";

    private TransactionSchema() {}

    public static EventSchema schema() {
        return new EventSchema(
                EVENT_ID,
                CARD_ID,
                TIME,
                TimeFormat.EPOCH_MILLIS,
                List.of(AMOUNT, CARD_AGE_DAYS),
                List.of(MERCHANT_CATEGORY, COUNTRY, DEVICE),
                Set.of(DEVICE),
                null);
    }
}
