/**
 * Learning-rate schedules for the training loop, evaluated per optimisation step:
 * - `constant`: the peak rate, times `decay^(epoch − 1)` (per-epoch exponential decay; 1 = constant);
 * - `cosine`: a linear warm-up from `peak / 10` to the peak over the first `warmupEpochs` epochs,
 *   then a half cosine down to `finalFactor · peak` at the end of the last epoch (SGDR without restarts,
 *   as in "one-cycle" policies for Adam).
 * @module
 */

/** Name of a schedule. */
export type ScheduleName = "constant" | "cosine";

/** All schedule names. */
export const SCHEDULE_NAMES: readonly ScheduleName[] = ["constant", "cosine"];

/** A learning-rate schedule over a whole training run. */
export interface LearningRateSchedule {
  /** `constant` (with optional per-epoch decay) or `cosine` (warm-up, then cosine annealing). */
  kind: ScheduleName;
  /** The peak (for `constant`: the initial) learning rate. */
  peak: number;
  /** `constant` only: factor per epoch. Default 1. */
  decay?: number;
  /** `cosine` only: epochs of linear warm-up (fractions allowed). Default 0.5. */
  warmupEpochs?: number;
  /** `cosine` only: rate at the end as a fraction of the peak. Default 0.01. */
  finalFactor?: number;
}

/** Where in the run a step is. */
export interface SchedulePosition {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
  /** Steps per epoch. */
  stepsPerEpoch: number;
  /** Maximum number of epochs of the run. */
  epochs: number;
}

/** Checks a schedule's fields; throws a RangeError naming the bad one. */
export function checkSchedule(schedule: LearningRateSchedule): void {
  if (!SCHEDULE_NAMES.includes(schedule.kind)) {
    throw new RangeError(
      `learning-rate schedule: "${schedule.kind}" is not one of ${SCHEDULE_NAMES.join(", ")}`,
    );
  }
  if (!(schedule.peak > 0) || !Number.isFinite(schedule.peak)) {
    throw new RangeError(`learning rate: ${schedule.peak} must be > 0`);
  }
  const decay = schedule.decay ?? 1;
  if (!(decay > 0 && decay <= 1)) throw new RangeError(`learning rate decay: ${decay} must be in (0, 1]`);
  const warmup = schedule.warmupEpochs ?? 0.5;
  if (!(warmup >= 0) || !Number.isFinite(warmup)) {
    throw new RangeError(`warm-up epochs: ${warmup} must be >= 0`);
  }
  const final = schedule.finalFactor ?? 0.01;
  if (!(final >= 0 && final <= 1)) {
    throw new RangeError(`final learning-rate factor: ${final} must be in [0, 1]`);
  }
}

/** The learning rate of one optimisation step. */
export function learningRateAt(schedule: LearningRateSchedule, at: SchedulePosition): number {
  if (schedule.kind === "constant") return schedule.peak * (schedule.decay ?? 1) ** at.epoch;
  const total = at.epochs * at.stepsPerEpoch;
  const t = at.epoch * at.stepsPerEpoch + at.step;
  const warmup = Math.min(Math.round((schedule.warmupEpochs ?? 0.5) * at.stepsPerEpoch), total - 1);
  if (t < warmup) return schedule.peak * (0.1 + 0.9 * t / warmup);
  const final = schedule.peak * (schedule.finalFactor ?? 0.01);
  const span = Math.max(1, total - 1 - warmup);
  const progress = Math.min(1, (t - warmup) / span);
  return final + (schedule.peak - final) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
