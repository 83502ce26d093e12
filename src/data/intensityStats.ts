import type { TrainingExam } from './findTrainingExams.js';
import { loadExam, type LoadVolume } from './loadExam.js';

/**
 * Which voxels intensity statistics describe:
 * - `'nonzero'` (default): voxels whose intensity is not 0. Skull-stripped or MNI-registered images have a zero
 *   background whose share of the field of view varies with the crop, so statistics over nonzero voxels describe
 *   the tissue and do not move when the background grows; the background then maps to −mean/std.
 * - `'all'`: every voxel (what the pilot's per-image z-score did).
 * - `'foreground'`: voxels whose label is > 0 (needs label maps; unlabelled exams fall back to `'nonzero'`).
 */
export type IntensityRegion = 'all' | 'nonzero' | 'foreground';

/** Mean and standard deviation of intensities. */
export interface IntensityStatsResult {
  /** Mean intensity, in the images' units. */
  mean: number;
  /** Population standard deviation, in the images' units. */
  std: number;
  /** Number of voxels that entered the statistics. */
  voxels: number;
  /** Number of exams read. */
  exams: number;
}

/** Options of {@link intensityStats}. */
export interface IntensityStatsOptions {
  /** @default 'nonzero' */
  region?: IntensityRegion;
  /** How files are read (see `loadExam`). */
  load?: LoadVolume;
}

/**
 * Dataset-wide intensity mean and standard deviation, streamed: exams are read one at a time and only running
 * sums (per-volume mean and sum of squared deviations, merged with Chan et al.'s parallel formula, float64) are
 * kept, so memory is one exam whatever the dataset size.
 *
 * @param exams - the exams; label maps are read only for `region: 'foreground'`.
 * @throws Error when no voxel falls in the region; every error of `loadExam`.
 */
export async function intensityStats(
  exams: readonly TrainingExam[],
  options: IntensityStatsOptions = {},
): Promise<IntensityStatsResult> {
  const region = options.region ?? 'nonzero';
  let count = 0, mean = 0, m2 = 0;
  for (const exam of exams) {
    const { image, labels } = await loadExam(exam, { load: options.load, read: region === 'foreground' ? 'both' : 'image' });
    const s = regionMoments(image.data, region === 'foreground' && !labels ? 'nonzero' : region, labels?.data);
    if (s.count === 0) continue;
    const total = count + s.count;
    const delta = s.mean - mean;
    mean += (delta * s.count) / total;
    m2 += s.m2 + (delta * delta * count * s.count) / total;
    count = total;
  }
  if (count === 0) {
    throw new Error(`intensityStats: no voxel of the ${exams.length} exam${exams.length === 1 ? '' : 's'} lies in region '${region}'`);
  }
  return { mean, std: Math.sqrt(m2 / count), voxels: count, exams: exams.length };
}

/**
 * Two-pass moments of one volume's intensities within a region: count, mean, and sum of squared deviations `m2`.
 *
 * @param data - intensities, any layout.
 * @param labels - labels aligned with `data` (needed for `'foreground'`).
 * @throws RangeError when `region` is `'foreground'` without labels of the same length.
 */
export function regionMoments(
  data: ArrayLike<number>,
  region: IntensityRegion,
  labels?: ArrayLike<number>,
): { count: number; mean: number; m2: number } {
  const n = data.length;
  if (region === 'foreground' && (!labels || labels.length !== n)) {
    throw new RangeError(`regionMoments: region 'foreground' needs labels of ${n} values, got ${labels?.length ?? 'none'}`);
  }
  const inside = (v: number): boolean =>
    region === 'all' ? true : region === 'nonzero' ? data[v] !== 0 : (labels as ArrayLike<number>)[v] > 0;
  let count = 0, sum = 0;
  for (let v = 0; v < n; v++) {
    if (inside(v)) {
      count++;
      sum += data[v];
    }
  }
  if (count === 0) return { count: 0, mean: 0, m2: 0 };
  const mean = sum / count;
  let m2 = 0;
  for (let v = 0; v < n; v++) {
    if (inside(v)) {
      const d = data[v] - mean;
      m2 += d * d;
    }
  }
  return { count, mean, m2 };
}
