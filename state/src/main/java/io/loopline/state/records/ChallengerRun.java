package io.loopline.state.records;

/**
 * A challenger being trained, as checkpointed by the continual trainer: why it started, what it
 * starts from, which rows it trains and is judged on (event-time ranges), and how far it got. With
 * the network's bytes (weights and updater state) it is everything a restored trainer needs to carry
 * on where the checkpoint left off.
 *
 * @param id random id, recorded in the published version's metrics so a restored trainer never publishes twice
 * @param mode {@code stateful} (warm-started from the parent) or {@code stateless} (from scratch)
 * @param parentVersion the champion version when the run started
 * @param epoch the epoch in progress (0-based)
 * @param batch the next mini-batch of that epoch
 * @param rowsProcessed rows fed to gradient steps so far (a row counts once per epoch)
 */
public record ChallengerRun(long id, String cause, String detail, String mode, long parentVersion, long triggeredAt, int trainRows, int holdoutRows,
        long trainFrom, long trainTo, long holdoutFrom, long holdoutTo, int epochs, int epoch, int batch, long rowsProcessed) {

    public ChallengerRun progressed(int nextEpoch, int nextBatch, long rows) {
        return new ChallengerRun(id, cause, detail, mode, parentVersion, triggeredAt, trainRows, holdoutRows, trainFrom, trainTo, holdoutFrom, holdoutTo,
                epochs, nextEpoch, nextBatch, rows);
    }

    public boolean finished() {
        return epoch >= epochs;
    }
}
