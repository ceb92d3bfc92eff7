package io.loopline.cli;

import io.loopline.kafka.PredictionDelivery;
import picocli.CommandLine.ITypeConverter;

/** {@code --predictions-delivery}: a typo is answered with the allowed values. */
final class PredictionDeliveryConverter implements ITypeConverter<PredictionDelivery> {
    @Override
    public PredictionDelivery convert(String value) {
        return PredictionDelivery.parse(value);
    }
}
