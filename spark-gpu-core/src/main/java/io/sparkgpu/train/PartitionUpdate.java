package io.sparkgpu.train;

import java.io.Serializable;

/**
 * What one partition's epoch returns to the driver: its parameters and optimizer state after the epoch, the weight
 * of its rows (the averaging weight), the weighted loss summed over its mini-batches, counts, and the name of the
 * backend it trained on ({@code cpu}, {@code cuda:0}) for the driver's epoch log.
 */
public record PartitionUpdate(int partition, float[] params, float[] state, double weightSum, double lossSum,
    double lossWeight, long rows, long steps, double seconds, String backend) implements Serializable {}
