package io.loopline.synthetic;

import io.loopline.kafka.Json;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A deterministic stream of synthetic card transactions (same seed, same stream), with a hidden
 * fraud label that depends on amount, merchant category, a foreign country and card age, so later
 * stages have something real to learn. A configured share of events is deliberately malformed to
 * exercise the dead-letter path.
 */
public final class TransactionGenerator {
    private static final String[] CATEGORIES = {"grocery", "fuel", "travel", "electronics", "restaurants", "gaming", "fashion", "pharmacy"};
    private static final int ELECTRONICS = 3;
    private static final int GAMING = 5;
    private static final double[] CATEGORY_RISK = {-1.0, -0.6, 0.8, 1.0, -0.4, 1.2, 0.2, -0.8};
    private static final String[] COUNTRIES = {"DE", "FR", "NL", "US", "GB", "BR", "NG", "JP"};
    private static final String[] DEVICES = {"mobile", "web", "pos"};
    private static final String[] MALFORMATIONS = {"truncated", "wrong-type", "missing-id", "non-finite", "not-json"};

    /** One generated record: its Kafka key, payload, and (for valid ones) id and hidden label. */
    public record Generated(byte[] key, byte[] value, String eventId, boolean valid, int fraudLabel, long timestamp) {}

    private final SplittableRandom random;
    private final int entities;
    private final double malformedRatio;
    private final String idPrefix;
    private final boolean includeLabel;
    private long sequence;
    private long clock;
    private boolean wallClock;
    private volatile double amountFactor = 1;
    private volatile double logitShift = 0;

    public TransactionGenerator(long seed, int entities, double malformedRatio, long startMillis) {
        this(seed, entities, malformedRatio, startMillis, false);
    }

    /** @param includeLabel write the fraud label into each event ({@code is_fraud}), as history files have it */
    public TransactionGenerator(long seed, int entities, double malformedRatio, long startMillis, boolean includeLabel) {
        this.includeLabel = includeLabel;
        if (entities < 1) {
            throw new IllegalArgumentException("entities must be >= 1, got " + entities);
        }
        if (malformedRatio < 0 || malformedRatio >= 1) {
            throw new IllegalArgumentException("malformed ratio must be in [0, 1), got " + malformedRatio);
        }
        this.random = new SplittableRandom(seed);
        this.entities = entities;
        this.malformedRatio = malformedRatio;
        this.idPrefix = "e" + Long.toHexString(seed) + "-";
        this.clock = startMillis;
    }

    /** Stamps each event with the time it is generated (never going back), for latency measurements. */
    public TransactionGenerator withWallClock() {
        this.wallClock = true;
        return this;
    }

    /**
     * From now on the world changes: amounts are multiplied by {@code amountFactor} (covariate drift)
     * and a fraud ring works the electronics and gaming merchants, whose fraud logit rises by
     * {@code ringLogit} (concept drift: a model trained before has never seen it, a retrained one can
     * learn it from the merchant feature).
     */
    public void startDrift(double amountFactor, double ringLogit) {
        this.amountFactor = amountFactor;
        this.logitShift = ringLogit;
    }

    /** The timestamp of the last generated event. */
    public long lastTimestamp() {
        return clock;
    }

    public Generated next() {
        long n = sequence++;
        clock = wallClock ? Math.max(clock, System.currentTimeMillis()) : clock + 1 + random.nextInt(20);
        String eventId = idPrefix + n;
        int card = random.nextInt(entities);
        String cardId = "card-" + card;
        byte[] key = cardId.getBytes(StandardCharsets.UTF_8);
        if (random.nextDouble() < malformedRatio) {
            return new Generated(key, malformed(eventId, cardId), eventId, false, 0, clock);
        }
        int category = random.nextInt(CATEGORIES.length);
        // Each card has a home country; a foreign transaction is rarer and riskier.
        int home = Math.floorMod(card * 31, COUNTRIES.length);
        int country = random.nextDouble() < 0.9 ? home : random.nextInt(COUNTRIES.length);
        double amount = Math.round(Math.exp(3.0 + 1.2 * random.nextGaussian()) * amountFactor * 100) / 100.0;
        double cardAgeDays = Math.floorMod(card * 7919L, 3650) + (clock / 86_400_000L) % 30;
        boolean deviceKnown = random.nextDouble() > 0.05;
        String device = DEVICES[Math.floorMod(card + (int) (n % 7 == 0 ? 1 : 0), DEVICES.length)];

        double ring = category == ELECTRONICS || category == GAMING ? logitShift : 0;
        double logit = ring - 4.2 + 0.55 * Math.log1p(amount) - 1.5 + CATEGORY_RISK[category]
                + (country != home ? 1.6 : 0.0) - 0.0004 * cardAgeDays + (deviceKnown ? 0 : 0.7);
        int label = random.nextDouble() < 1.0 / (1.0 + Math.exp(-logit)) ? 1 : 0;

        long ts = clock;
        byte[] value = Json.object(json -> {
            json.writeStringField(TransactionSchema.EVENT_ID, eventId);
            json.writeStringField(TransactionSchema.CARD_ID, cardId);
            json.writeNumberField(TransactionSchema.TIME, ts);
            json.writeNumberField(TransactionSchema.AMOUNT, amount);
            json.writeNumberField(TransactionSchema.CARD_AGE_DAYS, cardAgeDays);
            json.writeStringField(TransactionSchema.MERCHANT_CATEGORY, CATEGORIES[category]);
            json.writeStringField(TransactionSchema.COUNTRY, COUNTRIES[country]);
            if (deviceKnown) {
                json.writeStringField(TransactionSchema.DEVICE, device);
            }
            if (includeLabel) {
                json.writeNumberField(TransactionSchema.LABEL, label);
            }
        });
        return new Generated(key, value, eventId, true, label, ts);
    }

    private byte[] malformed(String eventId, String cardId) {
        String kind = MALFORMATIONS[random.nextInt(MALFORMATIONS.length)];
        return switch (kind) {
            case "truncated" -> ("{\"event_id\":\"" + eventId + "\",\"card_id\":\"" + cardId + "\",\"amou")
                    .getBytes(StandardCharsets.UTF_8);
            case "wrong-type" -> validShell(eventId, cardId, json -> json.writeStringField(TransactionSchema.AMOUNT, "lots"));
            case "missing-id" -> validShell(null, cardId, json -> json.writeNumberField(TransactionSchema.AMOUNT, 10.0));
            case "non-finite" -> validShell(eventId, cardId, json -> {
                json.writeFieldName(TransactionSchema.AMOUNT);
                json.writeNumber("1e400"); // valid JSON, overflows a double
            });
            default -> "this is not json".getBytes(StandardCharsets.UTF_8);
        };
    }

    private byte[] validShell(String eventId, String cardId, Json.ObjectWriter amount) {
        long ts = clock;
        return Json.object(json -> {
            if (eventId != null) {
                json.writeStringField(TransactionSchema.EVENT_ID, eventId);
            }
            json.writeStringField(TransactionSchema.CARD_ID, cardId);
            json.writeNumberField(TransactionSchema.TIME, ts);
            amount.write(json);
            json.writeNumberField(TransactionSchema.CARD_AGE_DAYS, 100);
            json.writeStringField(TransactionSchema.MERCHANT_CATEGORY, "grocery");
            json.writeStringField(TransactionSchema.COUNTRY, "DE");
        });
    }
}
