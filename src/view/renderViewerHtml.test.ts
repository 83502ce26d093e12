import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { readNifti } from '../volume/readNifti.js';
import { makeVolume } from '../volume/Volume.js';
import { makeViewerData } from './makeViewerData.js';
import { renderViewerHtml, STATIC_PAGE_CSP } from './renderViewerHtml.js';

const HOSTILE = '</script><script>alert(1)</script><!--';

function data(withSeg: boolean) {
  const seg = makeVolume([4, 1, 1], new Uint8Array([1, 2, 2, 0]));
  return makeViewerData({
    image: { file: `scan ${HOSTILE}.nii.gz`, volume: makeVolume([4, 1, 1], new Float32Array([0, 1, 2, 3])) },
    segmentation: withSeg ? { file: 'seg.nii.gz', volume: seg } : undefined,
    prior: withSeg ? { file: 'graph.json', prior: AdjacencyPrior.fromCounts([[1, 1, 1], [1, 1, 0], [1, 0, 1]]) } : undefined,
    labels: new Map([[1, { name: HOSTILE }]]),
  });
}

/** The text of `<script … id="id">…</script>`, found the way an HTML parser ends a script: at the first `</script`. */
function scriptText(html: string, id: string): string {
  const open = html.indexOf(`id="${id}">`);
  assert.ok(open >= 0, `no element #${id}`);
  const start = open + `id="${id}">`.length;
  return html.slice(start, html.toLowerCase().indexOf('</script', start));
}

describe('renderViewerHtml', () => {
  const assets = { js: 'const s = "</SCRIPT>"; const c = `<!--${s}`; const r = /<!--/u', css: 'body { color: red }' };

  test('one file: the report, the three volumes, the script and the style inline, behind a no-network CSP', async () => {
    const d = data(true);
    const html = await renderViewerHtml(d, { assets });
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<body data-source="static">/);
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${STATIC_PAGE_CSP.replace(/'/g, '&#39;')}">`));
    assert.ok(!/\b(src|href)="(https?:)?\/\//.test(html), 'no remote reference');
    assert.ok(html.includes('<style>\nbody { color: red }\n</style>'));
    // The report survives the trip through HTML even with a name that tries to close the script.
    assert.deepEqual(JSON.parse(scriptText(html, 'nonadj-report')), d.report);
    for (const [id, bytes] of [
      ['nonadj-volume-image', d.volumes.image],
      ['nonadj-volume-segmentation', d.volumes.segmentation!],
      ['nonadj-volume-contacts', d.volumes.contacts!],
    ] as const) {
      assert.deepEqual(new Uint8Array(Buffer.from(scriptText(html, id), 'base64')), bytes, id);
    }
    // The contact layer decodes to the two voxels of the 1–2 contact.
    assert.deepEqual([...readNifti(gunzipSync(d.volumes.contacts!)).data], [1, 1, 0, 0]);
  });

  test('the script cannot be cut short by "</script" or "<!--" in its text, and means the same', async () => {
    const html = await renderViewerHtml(data(true), { assets });
    const scripts = html.toLowerCase().split('<script').length - 1;
    const closes = html.toLowerCase().split('</script').length - 1;
    assert.equal(closes, scripts, 'every </script closes a script element');
    const inline = html.slice(html.lastIndexOf('<script>\n') + 9, html.lastIndexOf('\n</script>'));
    assert.ok(!/<\/script|<!--/i.test(inline));
    // The escaped script evaluates to the same values.
    const run = (code: string) => new Function(`${code}; return [s, c, r.test('a<!--b')];`)() as unknown[];
    assert.deepEqual(run(inline), run(assets.js));
    // The title is escaped as text.
    assert.ok(html.includes('<title>nonadj view: scan &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--.nii.gz</title>'));
  });

  test('an image alone embeds the image only', async () => {
    const html = await renderViewerHtml(data(false), { assets });
    assert.ok(html.includes('id="nonadj-volume-image"'));
    assert.ok(!html.includes('id="nonadj-volume-segmentation"'));
    assert.ok(!html.includes('id="nonadj-volume-contacts"'));
  });
});
