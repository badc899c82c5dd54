package io.sparkgpu.ml.fit;

import io.sparkgpu.train.TrainingResult;

/**
 * A fitted linear model on the original feature scale: {@code coefficients[k][j]} for output k and feature j, and
 * one intercept per output, in double precision, with the training history and the rows dropped as invalid by
 * reason.
 */
public record LinearFitResult(double[][] coefficients, double[] intercepts, int numFeatures, int numClasses,
    TrainingResult training, java.util.Map<String, Long> skippedRows) {}
