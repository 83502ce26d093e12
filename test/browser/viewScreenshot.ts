/**
 * Make the README's screenshot of `nonadj view` (docs/view.png) by running the README's own commands on the bundled
 * atlas with pasted islands, in the system Chromium:
 *
 *   npm run build && node --import tsx test/browser/viewScreenshot.ts [docs/view.png]
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CONTACT_RGB, DATA, launchBrowser, openViewer, ROOT, startView, waitForPixelsOf } from './viewHarness.js';

const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs', 'view.png'));
// Inside the repository (out/ is ignored by git) so that the page shows the README's relative paths.
const tmp = 'out';
const nonadj = (...args: string[]) => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'nonadj.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`nonadj ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
};
const prior = path.join(tmp, 'aal-prior');
const seg = path.join(tmp, 'aal-islands.nii.gz');
const rel = (file: string) => path.relative(ROOT, file);
nonadj('extract', prior, '--files', rel(DATA.atlas), '--names', rel(DATA.names), '--quiet');
nonadj('paste-islands', rel(DATA.atlas), seg, '--prior', path.join(prior, 'graph.json'), '--count', '6', '--seed', '3');

const context = await launchBrowser();
const view = await startView([rel(DATA.image), '--seg', seg, '--prior', path.join(prior, 'graph.json'), '--names', rel(DATA.names), '--lut', rel(DATA.lut), '--port', '0']);
try {
  const { page } = await openViewer(context, view.url);
  await page.locator('#pairs tbody tr').nth(0).click();
  // Point at the contact in the upper slices, so the readout under the canvas names it.
  const contact = await waitForPixelsOf(page, '#gl', CONTACT_RGB);
  if (contact.length > 0) {
    const [x, y] = contact.reduce((best, p) => (p[1] < best[1] ? p : best));
    await page.locator('#gl').hover({ position: { x, y } });
  } else {
    process.stderr.write('warning: the contact layer is not visible; the screenshot shows no hover readout\n');
  }
  await mkdir(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  process.stdout.write(`written: ${out}\n`);
} finally {
  await view.stop('SIGINT');
  await context.close();
}
