package io.sparkgpu.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * MNIST from its gzipped IDX files as a DataFrame (label, features = pixels / 255 as a dense Vector). Each partition
 * reads its own range of images from the files, so no image data travels inside tasks.
 */
public final class MnistData {
  private MnistData() {}

  public static final StructType SCHEMA = new StructType(new StructField[] {
      new StructField("label", DataTypes.DoubleType, false, Metadata.empty()),
      new StructField("features", SQLDataTypes.VectorType(), false, Metadata.empty())});

  public static Dataset<Row> load(SparkSession spark, Path images, Path labels, int partitions) {
    int count = header(labels, 8)[1];
    List<int[]> ranges = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ranges.add(new int[] {(int) ((long) count * p / partitions), (int) ((long) count * (p + 1) / partitions)});
    }
    String imagePath = images.toString();
    String labelPath = labels.toString();
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(ranges, partitions)
        .flatMap(r -> read(imagePath, labelPath, r[0], r[1]));
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static int[] header(Path file, int bytes) {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
      int[] h = new int[bytes / 4];
      for (int i = 0; i < h.length; i++) {
        h[i] = in.readInt();
      }
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Iterator<Row> read(String imagePath, String labelPath, int from, int to) throws IOException {
    List<Row> out = new ArrayList<>(to - from);
    try (DataInputStream img = new DataInputStream(new GZIPInputStream(Files.newInputStream(Path.of(imagePath))));
        DataInputStream lab = new DataInputStream(new GZIPInputStream(Files.newInputStream(Path.of(labelPath))))) {
      img.readInt();
      img.readInt();
      int rows = img.readInt();
      int cols = img.readInt();
      lab.readInt();
      lab.readInt();
      int pixels = rows * cols;
      skip(img, (long) from * pixels);
      skip(lab, from);
      byte[] buf = new byte[pixels];
      for (int i = from; i < to; i++) {
        img.readFully(buf);
        double[] v = new double[pixels];
        for (int j = 0; j < pixels; j++) {
          v[j] = (buf[j] & 0xff) / 255.0;
        }
        out.add(RowFactory.create((double) lab.readUnsignedByte(), Vectors.dense(v)));
      }
    }
    return out.iterator();
  }

  private static void skip(InputStream in, long n) throws IOException {
    long left = n;
    while (left > 0) {
      long s = in.skip(left);
      if (s <= 0) {
        throw new IOException("Unexpected end of file while skipping");
      }
      left -= s;
    }
  }
}
