package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CheckpointStore} on the local Hadoop file system: saves land under their final name only (no temporary
 * file survives a save), only the newest checkpoint is kept, a checkpoint of another fit or a damaged one is refused
 * naming the file and checkpointDir, and a finished fit leaves no checkpoint behind.
 */
class CheckpointStoreTest {
  @TempDir
  Path tmp;

  private static final FitFingerprint MINE = new FitFingerprint(Map.of("estimator", "LogisticRegression",
      "network", "NetworkSpec[3, 1]", "rows", "100"));

  private static TrainingCheckpoint after(int epoch) {
    double[] h = new double[epoch];
    java.util.Arrays.fill(h, 0.5);
    return new TrainingCheckpoint(null, epoch, new float[] {epoch, 2, 3, 4}, new float[8], epoch * 10.0, h,
        h.clone(), h.clone(), h.clone(), Double.POSITIVE_INFINITY, 0, null, 100, false, false);
  }

  private List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
    }
  }

  @Test
  void savesAtomicallyKeepsTheNewestAndResumesFromIt() throws IOException {
    Path dir = tmp.resolve("ckpt");
    CheckpointStore store = new CheckpointStore(dir.toString(), 2, new Configuration(), MINE);
    assertNull(store.latest(), "no directory yet: start afresh");
    assertFalse(store.wants(1));
    assertTrue(store.wants(2));
    store.save(after(2));
    assertEquals(List.of("checkpoint-000002.bin"), names(dir));
    store.save(after(4));
    assertEquals(List.of("checkpoint-000004.bin"), names(dir));
    Files.write(dir.resolve("_tmp-checkpoint-6-left-by-a-crash"), new byte[] {1, 2, 3});
    TrainingCheckpoint latest = new CheckpointStore(dir.toString(), 2, new Configuration(), MINE).latest();
    assertEquals(4, latest.epoch());
    assertEquals(40.0, latest.steps());
    assertEquals(MINE, latest.fingerprint());
    assertEquals(List.of("checkpoint-000004.bin"), names(dir), "a temporary file is never a checkpoint");
    store.finished();
    assertEquals(List.of(), names(dir));
  }

  @Test
  void aCheckpointOfAnotherFitIsRefusedNamingWhatDiffers() {
    Path dir = tmp.resolve("foreign");
    new CheckpointStore(dir.toString(), 1, new Configuration(), new FitFingerprint(Map.of("estimator",
        "LinearRegression", "network", "NetworkSpec[5, 1]", "rows", "100"))).save(after(3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CheckpointStore(dir.toString(), 1, new Configuration(), MINE).latest());
    assertTrue(e.getMessage().contains("checkpoint-000003.bin"), e.getMessage());
    assertTrue(e.getMessage().contains("estimator (LinearRegression in the checkpoint, LogisticRegression in this fit)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("network (NetworkSpec[5, 1] in the checkpoint, NetworkSpec[3, 1] in this "
        + "fit)"), e.getMessage());
    assertTrue(e.getMessage().contains("checkpointDir"), e.getMessage());
  }

  @Test
  void aTruncatedCheckpointIsRefused() throws IOException {
    Path dir = tmp.resolve("truncated");
    Files.createDirectories(dir);
    byte[] whole = after(2).withFingerprint(MINE).encode();
    // written without Hadoop's .crc side file, as a copy by another tool would be
    Files.write(dir.resolve("checkpoint-000002.bin"), java.util.Arrays.copyOf(whole, whole.length / 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CheckpointStore(dir.toString(), 1, new Configuration(), MINE).latest());
    assertTrue(e.getMessage().contains("checkpoint-000002.bin") && e.getMessage().contains("corrupt")
        && e.getMessage().contains("checkpointDir"), e.getMessage());
  }

  @Test
  void aCheckpointDirThatIsAFileIsRefused() throws IOException {
    Path file = Files.write(tmp.resolve("plain-file"), new byte[] {1});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CheckpointStore(file.toString(), 1, new Configuration(), MINE).latest());
    assertTrue(e.getMessage().contains("is a file") && e.getMessage().contains("checkpointDir"), e.getMessage());
  }
}
