/**
 * The run folder of a training (`nonadj train --out`, `trainSegmenter({ outDir })`) and the typed records in it:
 *
 * ```
 * outDir/
 *   checkpoint/     model.json + weights.bin (the model now), optimizer.bin (optimiser slots),
 *                   state.json (epoch, step, optimiser step, sampler state with its PRNG, λ controller state,
 *                   epoch accumulators, best epoch, log offset, fingerprint of the options)
 *   good/           λ auto only: the checkpoint of the last "good" epoch, reloaded when the controller asks
 *   best/           model.json + weights.bin: the selected final model (what `nonadj segment` takes)
 *   log.jsonl       one {@link EpochRecord} per line
 *   summary.json    a {@link TrainingSummary}, written at the end (or on interruption)
 * ```
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import type { ValidateModelResult } from './validateModel.js';

/** One line of `log.jsonl`: what an epoch did. */
export interface EpochRecord {
  epoch: number;
  /** λ used during the epoch. */
  lambda: number;
  /** Learning rate at the epoch's last step. */
  learningRate: number;
  steps: number;
  /** Steps whose loss or gradient was not finite (their update was skipped). */
  nanSteps: number;
  /**
   * Means over the epoch's finite steps: the loss terms (dice = soft Dice loss before its weight; nonAdjacency with
   * λ = 1) and `diceCoefficient`, the 0…1 Dice of the arg-max prediction on the labelled items before each update
   * (what the reference's λ heuristic uses; NaN when no step had a class to score; absent in logs written before it).
   */
  train: { total: number; crossEntropy: number; dice: number; nonAdjacency: number; diceCoefficient?: number };
  /** Validation on whole volumes (null without validation exams). */
  validation: ValidateModelResult | null;
  /** λ controller's notes (warm-up result, λ changes, reloads), and NaN notes. */
  events: string[];
  /** λ auto: whether the controller counted the epoch as good. */
  good?: boolean;
  /** Whether this epoch's model is the selected final model so far (written to best/). */
  best: boolean;
  /** Wall time of the epoch (training + validation + checkpoint), seconds, and when it ended. */
  seconds: number;
  time: string;
}

/** The paths of a run folder's parts (see the module comment). */
export interface RunFiles {
  checkpoint: string;
  good: string;
  best: string;
  log: string;
  summary: string;
}

/** The paths of the run folder `outDir`. */
export function runFiles(outDir: string): RunFiles {
  return {
    checkpoint: path.join(outDir, 'checkpoint'),
    good: path.join(outDir, 'good'),
    best: path.join(outDir, 'best'),
    log: path.join(outDir, 'log.jsonl'),
    summary: path.join(outDir, 'summary.json'),
  };
}

/** Validation figures kept in a summary (the per-exam details stay in the log). */
export interface ValidationSummary {
  meanDice: number;
  forbiddenPairs: number;
  forbiddenContacts: number;
  nonAdjacency: number;
}

/** `summary.json`: how a run ended and which model it selected. */
export interface TrainingSummary {
  status: 'completed' | 'interrupted';
  epochsCompleted: number;
  epochsPlanned: number;
  globalStep: number;
  lambda: { mode: 'auto'; final: number | undefined; d0: number | null | undefined } | { mode: 'fixed'; value: number };
  bestEpoch: number | null;
  selectionRule: string;
  best: { train: EpochRecord['train']; validation: ValidationSummary | null } | null;
  last: EpochRecord | null;
  /** Wall time of all epochs, seconds. */
  seconds: number;
  files: { best: string; checkpoint: string; log: string };
}

/** What a run folder holds: its summary (null while the run has not ended) and its epochs. */
export interface TrainingRun {
  summary: TrainingSummary | null;
  history: EpochRecord[];
}

/**
 * Read a run folder's `summary.json` and `log.jsonl` (what the demo reads back from the `nonadj train` runs it
 * starts).
 *
 * @throws Error naming the file when a line of the log or the summary is not JSON.
 */
export async function readTrainingRun(outDir: string): Promise<TrainingRun> {
  const files = runFiles(outDir);
  const parse = <T>(text: string, where: string): T => {
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`readTrainingRun: ${where} is not JSON (${(error as Error).message})`, { cause: error });
    }
  };
  const summaryText = await fs.readFile(files.summary, 'utf8').catch(() => null);
  const logText = await fs.readFile(files.log, 'utf8').catch(() => '');
  const history = logText
    .split('\n')
    .map((line, i) => [line, i] as const)
    .filter(([line]) => line.trim() !== '')
    .map(([line, i]) => parse<EpochRecord>(line, `${files.log} line ${i + 1}`));
  return { summary: summaryText === null ? null : parse<TrainingSummary>(summaryText, files.summary), history };
}

/** The summary's view of a validation. */
export function summariseValidation(v: ValidateModelResult): ValidationSummary {
  return { meanDice: v.meanDice, forbiddenPairs: v.forbiddenPairs, forbiddenContacts: v.forbiddenContacts, nonAdjacency: v.nonAdjacency };
}

/** Keep the first `lines` lines of the log (those the checkpoint knows about). */
export async function truncateLog(file: string, lines: number): Promise<void> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const kept = text.split('\n').filter((l) => l.length > 0).slice(0, lines);
  await writeFileAtomic(file, kept.map((l) => l + '\n').join(''));
}
