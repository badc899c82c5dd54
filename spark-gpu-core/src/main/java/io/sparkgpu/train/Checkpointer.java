package io.sparkgpu.train;

/**
 * Where {@link TrainingLoop} keeps its state between epochs so that a fit started again resumes: {@link #NONE} keeps
 * nothing; {@link CheckpointStore} writes files. Owned by the fit that made it.
 */
public interface Checkpointer {
  /** No checkpoints: every fit starts from its first epoch. */
  Checkpointer NONE = new Checkpointer() {
    @Override
    public TrainingCheckpoint latest() {
      return null;
    }

    @Override
    public boolean wants(int epoch) {
      return false;
    }

    @Override
    public void save(TrainingCheckpoint checkpoint) {}

    @Override
    public void finished() {}
  };

  /**
   * The state to resume from, or null to start afresh. Throws IllegalArgumentException when a checkpoint exists
   * but is corrupt or belongs to another fit.
   */
  TrainingCheckpoint latest();

  /** Whether the state after {@code epoch} should be saved. */
  boolean wants(int epoch);

  /** Saves the state after {@code checkpoint.epoch()}, atomically: a reader sees the old state or the new one. */
  void save(TrainingCheckpoint checkpoint);

  /** The fit has returned its model: its checkpoints are no longer needed. */
  void finished();

  /** Where the checkpoints live, for logs ("none" without checkpoints). */
  default String location() {
    return "none";
  }
}
