package io.sparkgpu.backend;

/** Element-wise activations of hidden layers; {@code IDENTITY} is a linear layer. */
public enum Activation {
  IDENTITY,
  RELU,
  SIGMOID,
  TANH;

  /** Parses a user-facing name ({@code relu}, {@code sigmoid}, {@code tanh}), case-insensitively. */
  public static Activation fromName(String name) {
    for (Activation a : values()) {
      if (a.name().equalsIgnoreCase(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("Unknown activation '" + name + "': expected one of identity, relu, sigmoid, tanh.");
  }
}
