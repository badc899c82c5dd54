package io.sparkgpu.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class PluginConfigTest {
  private static final PluginConfig.Key<Long> KEY = PluginConfig.RESIDENT_CACHE_MAX_BYTES;

  @Test
  void sizesParseInSparksUnits() {
    assertEquals(Optional.of(4L << 30), KEY.get(new SparkConf(false).set(KEY.name(), "4g")));
    assertEquals(Optional.of(512L << 20), KEY.get(new SparkConf(false).set(KEY.name(), " 512m ")));
    assertEquals(Optional.empty(), KEY.get(new SparkConf(false)));
  }

  @Test
  void badValuesNameTheKeyTheValueAndWhatIsExpected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KEY.get(new SparkConf(false).set(KEY.name(), "lots")));
    assertTrue(e.getMessage().contains(KEY.name()) && e.getMessage().contains("'lots'")
        && e.getMessage().contains("such as 512m or 4g"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> KEY.get(new SparkConf(false).set(KEY.name(), "10k")));
    assertTrue(e.getMessage().contains("at least 1048576 bytes but was 10k (10240 bytes)"), e.getMessage());
  }

  @Test
  void theLocalEpochLoopIsTrueOrFalseAndNothingElse() {
    PluginConfig.Key<Boolean> loop = PluginConfig.LOCAL_EPOCH_LOOP;
    assertEquals(Optional.of(false), loop.get(new SparkConf(false).set(loop.name(), " FALSE ")));
    assertEquals(Optional.of(true), loop.get(new SparkConf(false).set(loop.name(), "true")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> loop.get(new SparkConf(false).set(loop.name(), "yes")));
    assertEquals("spark.sparkgpu.localEpochLoop must be true or false but was 'yes'", e.getMessage());
  }
}
