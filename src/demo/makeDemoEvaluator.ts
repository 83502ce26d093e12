import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { keepLargestComponent } from '../postprocess/keepLargestComponent.js';
import { repairSegmentation } from '../postprocess/repairSegmentation.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import type { Volume } from '../volume/Volume.js';
import type { DemoDomain, SubjectScores } from './demoReport.js';
import { scoreSubject } from './scoreSubject.js';

/** A held-out labelled subject the demo scores every model on. */
export interface ScoredSubject {
  set: DemoDomain;
  id: string;
  image: string;
  label: string;
}

/**
 * Scores of one model: its own predictions on every held-out subject, and after each post-processing step on the test
 * subjects (the validation subjects serve the decisions, which concern the models themselves).
 */
export interface ModelScores {
  raw: SubjectScores[];
  /** Largest connected component per label (`keepLargestComponent`, removed voxels to background). */
  lcc: SubjectScores[];
  /** `repairSegmentation` against the prior. */
  repair: SubjectScores[];
}

/** Options of {@link makeDemoEvaluator}. */
export interface DemoEvaluatorOptions {
  /** The demo's output folder: `predictions/<key>[+lcc|+repair]/<set>/<id>.nii.gz` and `eval/<key>.json` go there. */
  out: string;
  subjects: readonly ScoredSubject[];
  prior: AdjacencyPrior;
  say: (line: string) => void;
}

/** Scores models; see {@link makeDemoEvaluator}. */
export interface DemoEvaluator {
  /**
   * Segment every subject with `modelFile`, post-process, score, and cache the scores in `eval/<key>.json` (a cached
   * model is not segmented again: its scores are read back).
   *
   * @param key - `baseline` or `<arm>/s<seed>`: names the model's prediction and score files.
   * @param seed - the fine-tune seed written into the scores (null for the baseline).
   * @param domains - the held-out sets to score the model on (the test sets always; validation sets where a decision
   *   needs them). Default: every set.
   */
  score(key: string, seed: number | null, modelFile: string, domains?: readonly DemoDomain[]): Promise<ModelScores>;
  /**
   * One subject's prediction by model `key` (for the report's slices), post-processed when `postprocess` is given: the
   * file of `predictions/` when it is there, else made from `modelFile` (and written there), else null — a demo
   * resumed on another machine has the scores of its earlier runs (kept in git) but neither their models nor their
   * predictions.
   */
  prediction(key: string, modelFile: string, subject: ScoredSubject, postprocess?: 'lcc' | 'repair'): Promise<Volume | null>;
}

/**
 * The demo's evaluation, in this process (TensorFlow.js loads on the first model to segment): each held-out subject
 * segmented by `segmentVolume`, its prediction written, then the largest-component and repaired versions of it, and
 * every version scored by `scoreSubject` against the truth.
 */
export async function makeDemoEvaluator(options: DemoEvaluatorOptions): Promise<DemoEvaluator> {
  const { out, subjects, prior, say } = options;
  const truths = new Map<string, Volume>();
  const truthOf = async (s: ScoredSubject): Promise<Volume> => {
    const key = `${s.set}/${s.id}`;
    let v = truths.get(key);
    if (!v) {
      v = await readNiftiFile(s.label, { expect: '3d' });
      truths.set(key, v);
    }
    return v;
  };
  let engine: Promise<{
    loadModel: typeof import('../model/modelFiles.js').loadModel;
    segmentVolume: typeof import('../infer/segmentVolume.js').segmentVolume;
    makeInferenceEngine: typeof import('../infer/makeInferenceEngine.js').makeInferenceEngine;
  }> | null = null;
  const loadEngine = () =>
    (engine ??= (async () => {
      const [{ initEngine }, { loadModel }, { segmentVolume }, { makeInferenceEngine }] = await Promise.all([
        import('../engine/initEngine.js'),
        import('../model/modelFiles.js'),
        import('../infer/segmentVolume.js'),
        import('../infer/makeInferenceEngine.js'),
      ]);
      await initEngine();
      return { loadModel, segmentVolume, makeInferenceEngine };
    })());

  const fileOf = (key: string, s: ScoredSubject, variant = '') => path.join(out, 'predictions', `${key}${variant}`, s.set, `${s.id}.nii.gz`);
  /** Segmenters of one model, opened on first use; `close` frees them. */
  const segmenterOf = (modelFile: string) => {
    let opened: Promise<{ segment: (image: Volume) => Promise<Volume>; close: () => Promise<void> }> | null = null;
    const open = async () => {
      const { loadModel, segmentVolume, makeInferenceEngine } = await loadEngine();
      const loaded = await loadModel(modelFile);
      // onnxruntime-node when it loads, on one thread as tfjs-wasm would use: training runs may share the cores.
      const inference = await makeInferenceEngine(loaded.model, { engine: 'auto', threads: 1 });
      return {
        segment: async (image: Volume) => (await segmentVolume(loaded.model, image, { metadata: loaded.metadata, forward: inference.forward })).labels,
        close: async () => {
          await inference.dispose();
          loaded.model.dispose();
        },
      };
    };
    return {
      segment: async (image: Volume) => (await (opened ??= open())).segment(image),
      close: async () => { if (opened) await (await opened).close(); },
    };
  };
  /** The model's raw prediction of `s`: read back from `predictions/` when there, else segmented and written there. */
  const rawPrediction = async (key: string, s: ScoredSubject, segmenter: ReturnType<typeof segmenterOf>): Promise<Volume> => {
    const file = fileOf(key, s);
    if (await isFile(file)) return readNiftiFile(file, { expect: '3d' });
    const prediction = await segmenter.segment(await readNiftiFile(s.image, { expect: '3d' }));
    await mkdir(path.dirname(file), { recursive: true });
    await writeNiftiFile(file, prediction, { kind: 'labels' });
    return prediction;
  };
  const postprocessed = (prediction: Volume, variant: 'lcc' | 'repair'): Volume =>
    variant === 'lcc' ? keepLargestComponent(prediction).volume : repairSegmentation(prediction, prior).volume;

  return {
    async score(key, seed, modelFile, domains) {
      const cache = path.join(out, 'eval', `${key}.json`);
      const cached = await readFile(cache, 'utf8').then((t) => JSON.parse(t) as ModelScores, () => null);
      // A cache written for more sets (an earlier demo version scored every set) gives just the sets asked for.
      if (cached) return domains ? { ...cached, raw: cached.raw.filter((s) => domains.includes(s.set)) } : cached;
      const segmenter = segmenterOf(modelFile);
      const scores: ModelScores = { raw: [], lcc: [], repair: [] };
      try {
        const mine = domains ? subjects.filter((s) => domains.includes(s.set)) : subjects;
        for (const [i, s] of mine.entries()) {
          const prediction = await rawPrediction(key, s, segmenter);
          const truth = await truthOf(s);
          scores.raw.push(scoreSubject(s.set, s.id, seed, prediction, truth, prior));
          if (s.set === 'test' || s.set === 'unseen-test') {
            for (const variant of ['lcc', 'repair'] as const) {
              const volume = postprocessed(prediction, variant);
              await mkdir(path.dirname(fileOf(key, s, `+${variant}`)), { recursive: true });
              await writeNiftiFile(fileOf(key, s, `+${variant}`), volume, { kind: 'labels' });
              scores[variant].push(scoreSubject(s.set, s.id, seed, volume, truth, prior));
            }
          }
          say(`evaluate: ${key} ${i + 1}/${mine.length} ${s.set}/${s.id}: Dice ${(scores.raw.at(-1)!.meanDice ?? 0).toFixed(3)}, contacts ${scores.raw.at(-1)!.forbiddenContacts}`);
        }
      } finally {
        await segmenter.close();
      }
      await mkdir(path.dirname(cache), { recursive: true });
      await writeFileAtomic(cache, JSON.stringify(scores) + '\n');
      return scores;
    },

    async prediction(key, modelFile, subject, postprocess) {
      const variantFile = fileOf(key, subject, postprocess ? `+${postprocess}` : '');
      if (await isFile(variantFile)) return readNiftiFile(variantFile, { expect: '3d' });
      if (!(await isFile(fileOf(key, subject))) && !(await isFile(modelFile))) return null;
      const segmenter = segmenterOf(modelFile);
      try {
        const raw = await rawPrediction(key, subject, segmenter);
        return postprocess ? postprocessed(raw, postprocess) : raw;
      } finally {
        await segmenter.close();
      }
    },
  };
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}
