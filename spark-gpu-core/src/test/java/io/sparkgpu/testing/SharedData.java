package io.sparkgpu.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the project's shared data sets ({@code ../shared/data} beside the checkout). A test that needs one calls
 * {@link #require}, which skips the test, with the path in the reason, when the file is absent.
 */
public final class SharedData {
  private SharedData() {}

  public static Path root() {
    String configured = System.getProperty("sparkgpu.shared.dir");
    Path base = configured != null ? Paths.get(configured) : Paths.get("..", "..", "shared");
    return base.resolve("data").toAbsolutePath().normalize();
  }

  /** The file at {@code relative} under shared/data; skips the calling test when it does not exist. */
  public static Path require(String relative) {
    Path p = root().resolve(relative);
    Assumptions.assumeTrue(Files.isRegularFile(p), "shared data set not present, skipping: " + p);
    return p;
  }
}
