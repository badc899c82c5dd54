package io.sparkgpu.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one fit in a directory of any Hadoop file system Spark can use (local, HDFS, S3A, ...): after every
 * {@code interval}-th epoch the state is written to a temporary file, which is then renamed to
 * {@code checkpoint-EEEEEE.bin} (EEEEEE the epoch), and older checkpoints are deleted; a reader therefore sees a
 * complete checkpoint or the previous one. The directory holds one fit's checkpoints: a checkpoint written by another
 * fit (another estimator, shape, setting or data; see {@link FitFingerprint}) or a corrupt one is refused, naming the
 * file and the {@code checkpointDir} setting. When the fit returns its model the checkpoints are deleted.
 */
public final class CheckpointStore implements Checkpointer {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)\\.bin");
  private static final String TEMP_PREFIX = "_tmp-checkpoint-";

  private final Path dir;
  private final int interval;
  private final FitFingerprint fingerprint;
  private final FileSystem fs;
  private boolean loaded;
  private TrainingCheckpoint found; // what latest() found when first asked: the checkpoint this fit resumes from

  /**
   * @param dir the checkpointDir setting
   * @param interval save after every interval-th epoch (>= 1)
   * @param hadoopConf the SparkContext's Hadoop configuration (credentials, file system implementations)
   * @param fingerprint this fit's fingerprint, compared with that of a checkpoint found in {@code dir}
   */
  public CheckpointStore(String dir, int interval, Configuration hadoopConf, FitFingerprint fingerprint) {
    if (interval < 1) {
      throw new IllegalArgumentException("checkpointInterval must be >= 1 to save checkpoints but was " + interval);
    }
    this.dir = new Path(dir);
    this.interval = interval;
    this.fingerprint = fingerprint;
    try {
      this.fs = this.dir.getFileSystem(hadoopConf);
    } catch (IOException e) {
      throw new IllegalArgumentException("checkpointDir " + dir + " is on no file system this Spark can use ("
          + e.getMessage() + "); set checkpointDir to a directory of HDFS, a local path or another Hadoop file "
          + "system", e);
    }
  }

  /** The file name of the checkpoint after {@code epoch}. */
  static String fileName(int epoch) {
    return String.format("checkpoint-%06d.bin", epoch);
  }

  @Override
  public String location() {
    return dir.toString();
  }

  @Override
  public TrainingCheckpoint latest() {
    if (!loaded) {
      found = load();
      loaded = true;
    }
    return found;
  }

  private TrainingCheckpoint load() {
    Path newest = newest();
    if (newest == null) {
      return null;
    }
    byte[] bytes = readAll(newest);
    TrainingCheckpoint c = TrainingCheckpoint.decode(bytes, newest.toString());
    List<String> diff = fingerprint.differences(c.fingerprint());
    if (!diff.isEmpty()) {
      throw new IllegalArgumentException("Checkpoint " + newest + " was written by another fit and cannot be "
          + "resumed: it differs in " + String.join("; ", diff) + ". Set checkpointDir to an empty directory, or "
          + "delete " + dir + " to start this fit afresh");
    }
    Matcher m = NAME.matcher(newest.getName());
    if (!m.matches() || Integer.parseInt(m.group(1)) != c.epoch()) {
      throw new IllegalArgumentException("Checkpoint " + newest + " holds epoch " + c.epoch() + " but its name says "
          + "otherwise; delete it or set checkpointDir to another directory");
    }
    return c;
  }

  @Override
  public boolean wants(int epoch) {
    return epoch % interval == 0;
  }

  @Override
  public void save(TrainingCheckpoint checkpoint) {
    long t0 = System.nanoTime();
    byte[] bytes = checkpoint.withFingerprint(fingerprint).encode();
    Path target = new Path(dir, fileName(checkpoint.epoch()));
    Path temp = new Path(dir, TEMP_PREFIX + checkpoint.epoch() + "-" + UUID.randomUUID());
    try {
      fs.mkdirs(dir);
      try (OutputStream out = fs.create(temp, false)) {
        out.write(bytes);
      }
      if (fs.exists(target)) {
        fs.delete(target, false);
      }
      if (!fs.rename(temp, target)) {
        throw new IOException("rename of " + temp + " to " + target + " returned false");
      }
      for (FileStatus s : listCheckpoints()) {
        if (!s.getPath().getName().equals(target.getName())) {
          fs.delete(s.getPath(), false);
        }
      }
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new UncheckedIOException("Could not save the checkpoint of epoch " + checkpoint.epoch() + " to " + target
          + "; check that checkpointDir is writable or unset it", e);
    }
    LOG.info("Saved the state after epoch {} to {} ({} bytes in {} ms)", checkpoint.epoch(), target, bytes.length,
        String.format("%.1f", (System.nanoTime() - t0) / 1e6));
  }

  @Override
  public void finished() {
    try {
      int deleted = 0;
      for (FileStatus s : listCheckpoints()) {
        fs.delete(s.getPath(), false);
        deleted++;
      }
      if (deleted > 0) {
        LOG.info("The fit has finished: deleted {} checkpoint(s) in {}", deleted, dir);
      }
    } catch (IOException e) {
      LOG.warn("Could not delete the checkpoints in {} after the fit finished; delete them before reusing "
          + "checkpointDir for another fit", dir, e);
    }
  }

  /** The checkpoint of the highest epoch in the directory, or null. Leftover temporary files are removed. */
  private Path newest() {
    try {
      if (!fs.exists(dir)) {
        return null;
      }
      if (!fs.getFileStatus(dir).isDirectory()) {
        throw new IllegalArgumentException("checkpointDir " + dir + " is a file, not a directory; set checkpointDir "
            + "to a directory");
      }
      for (FileStatus s : fs.listStatus(dir)) {
        if (s.getPath().getName().startsWith(TEMP_PREFIX)) {
          fs.delete(s.getPath(), false); // an interrupted save: never renamed, so never a checkpoint
        }
      }
      Path best = null;
      int bestEpoch = -1;
      for (FileStatus s : listCheckpoints()) {
        Matcher m = NAME.matcher(s.getPath().getName());
        if (m.matches() && Integer.parseInt(m.group(1)) > bestEpoch) {
          bestEpoch = Integer.parseInt(m.group(1));
          best = s.getPath();
        }
      }
      return best;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list checkpointDir " + dir, e);
    }
  }

  private List<FileStatus> listCheckpoints() throws IOException {
    if (!fs.exists(dir)) {
      return List.of();
    }
    List<FileStatus> out = new java.util.ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.isFile() && NAME.matcher(s.getPath().getName()).matches()) {
        out.add(s);
      }
    }
    return out;
  }

  private byte[] readAll(Path p) {
    try (InputStream in = fs.open(p)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalArgumentException("Checkpoint " + p + " cannot be read (" + e.getMessage() + "); it is "
          + "corrupt or unreadable: delete it or set checkpointDir to another directory", e);
    }
  }

  private void deleteQuietly(Path p) {
    try {
      fs.delete(p, false);
    } catch (IOException e) {
      LOG.warn("Could not delete the temporary checkpoint {}", p, e);
    }
  }
}
