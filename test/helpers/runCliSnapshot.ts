import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Repository root (this file is test/helpers/runCliSnapshot.ts). */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'nonadj.js');

/** What one run of the built `nonadj` binary printed. */
export interface CliRun {
  args: string[];
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Run the built binary (`bin/nonadj.js` → `dist/`) as a user would, without a TTY, from `cwd`.
 * `npm test` builds first; run `npm run build` before running a CLI test file alone.
 */
export function runCli(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', NONADJ_DEBUG: '', ...env },
  });
  return { args, stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? -1 };
}

/** Replace run-dependent text (temporary folders, timings) so snapshots are stable. */
export function normalise(text: string, replacements: Array<[string, string]> = []): string {
  let out = text;
  for (const [from, to] of replacements) out = out.split(from).join(to);
  return out.replace(/\d+\.\d+ s\b/g, '<t> s');
}

/**
 * Compare a list of runs with a readable Markdown snapshot `test/cli/snapshots/<name>.md` (command, exit code,
 * stdout, stderr). `UPDATE_SNAPSHOTS=1` rewrites it; a missing snapshot is written, except under `CI=true`
 * where it fails (a snapshot nobody reviewed proves nothing).
 */
export function assertSnapshot(name: string, runs: CliRun[], replacements: Array<[string, string]> = []): void {
  const body = runs
    .map((r) =>
      [
        `## nonadj ${normalise(r.args.join(' '), replacements)}`,
        '',
        `Exit code: ${r.exitCode}`,
        '',
        '```text stdout',
        normalise(r.stdout, replacements).trimEnd(),
        '```',
        '',
        '```text stderr',
        normalise(r.stderr, replacements).trimEnd(),
        '```',
        '',
      ].join('\n'),
    )
    .join('\n');
  const file = path.join(ROOT, 'test', 'cli', 'snapshots', `${name}.md`);
  const text = `# ${name}\n\n${body}`;
  if (process.env.UPDATE_SNAPSHOTS === '1' || (!existsSync(file) && process.env.CI !== 'true')) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${file} is missing; run with UPDATE_SNAPSHOTS=1 and review it`);
  assert.equal(text, readFileSync(file, 'utf8'), `snapshot ${name} differs; if the change is intended, rerun with UPDATE_SNAPSHOTS=1`);
}

