package io.sparkgpu.arrow;

/** What the label column holds, which decides how each label is checked while batching. */
public enum LabelKind {
  /** Any finite real number. */
  REAL,
  /** A class index: a non-negative whole number below 2^24 (exact in float32). */
  CLASS_INDEX
}
