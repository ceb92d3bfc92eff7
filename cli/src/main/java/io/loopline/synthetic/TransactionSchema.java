package io.loopline.synthetic;

/** The fields of the demo's synthetic card transactions; the built-in spec {@code transactions} declares them. */
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
}
