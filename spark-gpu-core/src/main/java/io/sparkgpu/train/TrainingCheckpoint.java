package io.sparkgpu.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The driver's training state after an epoch, everything {@link TrainingLoop} needs to go on as if it had never
 * stopped: the parameters, the optimizer state and step count, the histories, the best epoch so far (early stopping)
 * and whether training had already ended; with the {@link FitFingerprint} of the fit that wrote it. Encoded as a
 * small versioned binary record closed by a CRC-32, so a truncated or altered file is recognised. Immutable; the
 * codec is pure.
 *
 * @param fingerprint the fit that wrote it (null until {@link CheckpointStore} marks it)
 * @param epoch the last epoch completed (from 1)
 * @param validationLoss per completed epoch (NaN without validation rows); likewise validationMetric
 * @param bestParams the best epoch's parameters, or null when no epoch has been evaluated
 */
public record TrainingCheckpoint(FitFingerprint fingerprint, int epoch, float[] params, float[] state, double steps,
    double[] objectiveHistory, double[] epochSeconds, double[] validationLoss, double[] validationMetric,
    double bestLoss, int bestEpoch, float[] bestParams, long rows, boolean converged, boolean stoppedEarly) {

  private static final String MAGIC = "spark-gpu training checkpoint";
  private static final int VERSION = 1;

  public TrainingCheckpoint {
    if (objectiveHistory.length != epoch || epochSeconds.length != epoch || validationLoss.length != epoch
        || validationMetric.length != epoch) {
      throw new IllegalArgumentException("A checkpoint after epoch " + epoch + " needs " + epoch + " history entries "
          + "but has " + objectiveHistory.length + ", " + epochSeconds.length + ", " + validationLoss.length + " and "
          + validationMetric.length);
    }
  }

  /** The same state, marked as written by the fit {@code f}. */
  public TrainingCheckpoint withFingerprint(FitFingerprint f) {
    return new TrainingCheckpoint(f, epoch, params, state, steps, objectiveHistory, epochSeconds, validationLoss,
        validationMetric, bestLoss, bestEpoch, bestParams, rows, converged, stoppedEarly);
  }

  /** The record's bytes: magic, version, fields, then the CRC-32 of everything before it. */
  public byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeUTF(MAGIC);
      out.writeInt(VERSION);
      Map<String, String> fields = fingerprint.fields();
      out.writeInt(fields.size());
      for (Map.Entry<String, String> e : fields.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
      out.writeInt(epoch);
      out.writeDouble(steps);
      writeFloats(out, params);
      writeFloats(out, state);
      writeDoubles(out, objectiveHistory);
      writeDoubles(out, epochSeconds);
      writeDoubles(out, validationLoss);
      writeDoubles(out, validationMetric);
      out.writeDouble(bestLoss);
      out.writeInt(bestEpoch);
      out.writeBoolean(bestParams != null);
      if (bestParams != null) {
        writeFloats(out, bestParams);
      }
      out.writeLong(rows);
      out.writeBoolean(converged);
      out.writeBoolean(stoppedEarly);
      out.flush();
      CRC32 crc = new CRC32();
      crc.update(bytes.toByteArray());
      out.writeLong(crc.getValue());
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not encode a checkpoint in memory", e);
    }
  }

  /**
   * Reads a record made by {@link #encode}. Throws IllegalArgumentException naming {@code source} when the bytes
   * are not such a record, are truncated or fail their CRC.
   */
  public static TrainingCheckpoint decode(byte[] bytes, String source) {
    if (bytes.length < 8) {
      throw corrupt(source, "it holds " + bytes.length + " bytes, too few for a checkpoint");
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    long stored = java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 8))) {
      String magic;
      try {
        magic = in.readUTF();
      } catch (IOException e) {
        magic = null;
      }
      if (!MAGIC.equals(magic)) {
        throw corrupt(source, "it is not a spark-gpu checkpoint (no '" + MAGIC + "' header)");
      }
      if (crc.getValue() != stored) {
        throw corrupt(source, "its CRC-32 is " + Long.toHexString(crc.getValue()) + " but the file records "
            + Long.toHexString(stored) + " (truncated or modified)");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw corrupt(source, "it has format version " + version + "; this spark-gpu reads version " + VERSION);
      }
      int n = in.readInt();
      Map<String, String> fields = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        fields.put(in.readUTF(), in.readUTF());
      }
      int epoch = in.readInt();
      double steps = in.readDouble();
      float[] params = readFloats(in);
      float[] state = readFloats(in);
      double[] history = readDoubles(in);
      double[] seconds = readDoubles(in);
      double[] vLoss = readDoubles(in);
      double[] vMetric = readDoubles(in);
      double bestLoss = in.readDouble();
      int bestEpoch = in.readInt();
      float[] bestParams = in.readBoolean() ? readFloats(in) : null;
      long rows = in.readLong();
      boolean converged = in.readBoolean();
      boolean stoppedEarly = in.readBoolean();
      if (in.available() != 0) {
        throw corrupt(source, in.available() + " bytes follow the last field");
      }
      return new TrainingCheckpoint(new FitFingerprint(fields), epoch, params, state, steps, history, seconds, vLoss,
          vMetric, bestLoss, bestEpoch, bestParams, rows, converged, stoppedEarly);
    } catch (CorruptCheckpoint e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw corrupt(source, "it cannot be read (" + e + ")");
    }
  }

  /** A checkpoint that cannot be used; its message names the file and the setting to change. */
  private static final class CorruptCheckpoint extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    CorruptCheckpoint(String message) {
      super(message);
    }
  }

  private static CorruptCheckpoint corrupt(String source, String why) {
    return new CorruptCheckpoint("Checkpoint " + source + " is corrupt: " + why + "; delete it or set "
        + "checkpointDir to another directory");
  }

  private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    out.writeInt(v.length);
    for (float x : v) {
      out.writeInt(Float.floatToRawIntBits(x));
    }
  }

  private static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
    out.writeInt(v.length);
    for (double x : v) {
      out.writeLong(Double.doubleToRawLongBits(x));
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available() / 4) {
      throw new IOException("an array of " + n + " floats does not fit the remaining " + in.available() + " bytes");
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = Float.intBitsToFloat(in.readInt());
    }
    return v;
  }

  private static double[] readDoubles(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available() / 8) {
      throw new IOException("an array of " + n + " doubles does not fit the remaining " + in.available() + " bytes");
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = Double.longBitsToDouble(in.readLong());
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TrainingCheckpoint)) {
      return false;
    }
    TrainingCheckpoint c = (TrainingCheckpoint) o;
    return fingerprint.equals(c.fingerprint) && epoch == c.epoch && Arrays.equals(params, c.params)
        && Arrays.equals(state, c.state) && Double.compare(steps, c.steps) == 0
        && Arrays.equals(objectiveHistory, c.objectiveHistory) && Arrays.equals(epochSeconds, c.epochSeconds)
        && Arrays.equals(validationLoss, c.validationLoss) && Arrays.equals(validationMetric, c.validationMetric)
        && Double.compare(bestLoss, c.bestLoss) == 0 && bestEpoch == c.bestEpoch
        && Arrays.equals(bestParams, c.bestParams) && rows == c.rows && converged == c.converged
        && stoppedEarly == c.stoppedEarly;
  }

  @Override
  public int hashCode() {
    return 31 * fingerprint.hashCode() + epoch;
  }
}
