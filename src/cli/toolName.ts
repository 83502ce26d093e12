import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** `nonadj <version>`, read from the package's own package.json (recorded in the files nonadj writes). */
export function toolName(): string {
  cached ??= `nonadj ${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;
  return cached;
}
