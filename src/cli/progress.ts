import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';

// cli-progress is loaded only when a bar is drawn (a terminal): a quiet or piped run, e.g. `extract` on one exam,
// does not pay its ~5 ms of loading.
const require = createRequire(import.meta.url);

/** A progress reporter for long work: a bar on a terminal, plain lines otherwise (logs, CI, pipes). */
export interface Progress {
  /** Advance by `by` items (default 1), with an optional note (e.g. the item just finished). */
  tick(note?: string, by?: number): void;
  /** Finish the bar (or print the last line). */
  stop(): void;
}

/** Options of {@link makeProgress}. */
export interface MakeProgressOptions {
  /** Stream to draw on. @default process.stderr (stdout stays clean for `--json`). */
  stream?: NodeJS.WriteStream;
  /** `false` silences it (`--quiet`). @default true */
  enabled?: boolean;
}

/**
 * Progress over `total` items. On a TTY it draws a `cli-progress` bar; otherwise it prints one plain line per
 * item (`label: 3/10 name`), so logs stay readable.
 */
export function makeProgress(label: string, total: number, options: MakeProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.enabled === false) return { tick() {}, stop() {} };
  let done = 0;
  if (!stream.isTTY) {
    return {
      tick(note, by = 1) {
        done += by;
        stream.write(`${label}: ${done}/${total}${note ? ` ${note}` : ''}\n`);
      },
      stop() {},
    };
  }
  const cliProgress = require('cli-progress') as typeof cliProgressModule;
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {note}`, stream, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { note: '' });
  return {
    tick(note, by = 1) {
      done += by;
      bar.update(done, { note: note ?? '' });
    },
    stop() {
      bar.stop();
    },
  };
}
