package io.sparkgpu.train;

import io.sparkgpu.backend.OptimizerKind;
import java.io.Serializable;

/**
 * The user's training choices, as the Estimators' Params give them, before the data is seen.
 *
 * @param optimizer update rule
 * @param learningRate base step size per worker (the plan multiplies it for the number of workers if asked)
 * @param scaleLearningRateWithWorkers multiply the step by the number of partitions (linear scaling rule)
 * @param momentum SGD momentum
 * @param batchSize rows per mini-batch
 * @param epochs planned epochs
 * @param schedule learning-rate schedule over the planned epochs
 * @param seed fit seed
 * @param regParam regularisation strength λ
 * @param elasticNetParam α: the penalty is λ·(α·‖w‖₁ + (1-α)/2·‖w‖²)
 * @param standardization penalise coefficients of standardised features (true) or of raw ones (false)
 * @param fitIntercept train an intercept
 * @param maxDenseBytes budget for densifying sparse data per partition
 * @param minStepsPerEpoch optimizer steps each partition takes at least per epoch (small partitions repeat passes)
 */
public record TrainingSettings(OptimizerKind optimizer, double learningRate, boolean scaleLearningRateWithWorkers,
    double momentum, int batchSize, int epochs, LearningRateSchedule schedule, long seed, double regParam,
    double elasticNetParam, boolean standardization, boolean fitIntercept, long maxDenseBytes,
    int minStepsPerEpoch)
    implements Serializable {}
