import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Why `--workers` / `--jobs` above 1 are refused with `--backend tensorflow` (`{option}` names the flag): the commands
 * then run on one thread, since TensorFlow's native library computes on every core itself and tfjs-node's binding
 * keeps one backend per process (a global in its `tfjs_binding.cc`; tensorflow/tfjs#8388 reports the second worker
 * thread failing), so worker threads each loading it are not safe.
 */
export const SINGLE_THREAD_TENSORFLOW =
  '--backend tensorflow runs on one thread (TensorFlow uses every core itself, and tfjs-node holds one backend per process); drop {option}';

/**
 * Refuse `--backend tensorflow` up front, before any data is read, when `@tensorflow/tfjs-node` is not installed:
 * it is not a dependency of nonadj (its install script downloads a native TensorFlow, which not every machine
 * can), so the user installs it next to nonadj, in the version of nonadj's `@tensorflow/tfjs-core` (another
 * version registers its backend with its own copy of tfjs-core, where nonadj does not see it). Other backends,
 * and a tfjs-node that is installed but fails to load (`initEngine` reports why), pass.
 *
 * @param backend - the `--backend` value, if any.
 * @throws Error saying what to install when the backend is `'tensorflow'` and the package cannot be found.
 */
export function assertBackendInstalled(backend: string | undefined): void {
  if (backend !== 'tensorflow') return;
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    const { version } = require('@tensorflow/tfjs-core/package.json') as { version: string };
    throw new Error(
      `--backend tensorflow needs @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node@${version}; ` +
        'it downloads a native TensorFlow at install time)',
    );
  }
}
