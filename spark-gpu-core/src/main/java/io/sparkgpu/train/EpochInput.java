package io.sparkgpu.train;

import java.io.Serializable;

/**
 * What the driver sends to every partition for one epoch: parameters and optimizer state after the previous
 * epoch's average, how many optimizer steps came before (Adam's bias correction), and the epoch number (from 1).
 */
public record EpochInput(int epoch, float[] params, float[] state, double stepsDone) implements Serializable {}
