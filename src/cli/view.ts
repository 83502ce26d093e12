import { Command } from 'commander';
import { loadViewerData } from '../view/loadViewerData.js';
import type { ViewerData } from '../view/makeViewerData.js';
import { renderViewerHtml } from '../view/renderViewerHtml.js';
import { startViewerServer } from '../view/startViewerServer.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { namesOption, portOption } from './options.js';
import { toolName } from './toolName.js';

interface ViewFlags {
  seg?: string;
  prior?: string;
  names?: string;
  lut?: string;
  port: number;
  static?: string;
  /** False with --no-token. */
  token: boolean;
  allowHost?: string[];
}

/** `nonadj view <image> [--seg] [--prior] [--names] [--lut] [--port] [--static out.html]`. */
export function makeViewCommand(): Command {
  return new Command('view')
    .summary('show an image, its segmentation and the forbidden contacts in the browser (NiiVue)')
    .description(
      [
        'Serve a page on 127.0.0.1 (first free port from 8080; the URL printed carries a random ?token=, as Jupyter\'s',
        'does, so other users of the machine cannot fetch the volumes) showing the image in three planes and 3D, the',
        'segmentation as a label overlay with names, the forbidden contacts found by the check against the prior as',
        'a highlighted layer, a table of forbidden pairs (click a row to go there) and the prior as a heatmap.',
        'Only the page, its assets and the files named here are served. Ctrl-C stops the server.',
        '',
        'With --static, write the same page as one self-contained HTML file instead (opens offline, no server).',
      ].join('\n'),
    )
    .argument('<image>', 'background image (.nii, .nii.gz, .mgz, .mgh), e.g. a T1')
    .option('--seg <file>', 'label map to overlay (.nii, .nii.gz, .mgz, .mgh)')
    .option('--prior <file>', 'adjacency prior: graph.json or graph.png.csv (from nonadj extract)')
    .addOption(namesOption())
    .option('--lut <file>', 'label colours: an MRIcron colour table (aal.nii.lut, 768 bytes)')
    .option('--port <n>', 'first port to try (0 = any free port)', portOption, 8080)
    .option('--static <out.html>', 'write a self-contained HTML file instead of serving')
    .option('--allow-host <names...>', 'also accept these Host headers (a name, any port, or name:port), e.g. for a reverse proxy')
    .option('--no-token', 'serve without the random token in the URL (any local user can then fetch the volumes)')
    .action(async (image: string, flags: ViewFlags) => {
      const data = await loadViewerData({ image, segmentation: flags.seg, prior: flags.prior, names: flags.names, lut: flags.lut, tool: toolName() });
      if (flags.static) {
        const html = await renderViewerHtml(data);
        await writeFileAtomic(flags.static, html);
        process.stdout.write([...summaryLines(data), `written:  ${flags.static} (${(Buffer.byteLength(html) / 1e6).toFixed(1)} MB)`, ''].join('\n'));
        return;
      }
      await serve(data, flags);
    });
}

async function serve(data: ViewerData, flags: ViewFlags): Promise<void> {
  const port = flags.port;
  const server = await startViewerServer(data, { port, token: flags.token ? undefined : null, allowHosts: flags.allowHost });
  if (port !== 0 && server.port !== port) process.stderr.write(`port ${port} is in use; using ${server.port}\n`);
  process.stdout.write([...summaryLines(data), `serving:  ${server.url}  (Ctrl-C to stop)`, ''].join('\n'));
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close().then(
        () => {
          process.stdout.write(`stopped (${signal})\n`);
          resolve();
        },
        () => resolve(),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function summaryLines({ report }: ViewerData): string[] {
  const lines = [`image:    ${report.image.file} (${report.image.dims.join('×')})`];
  if (report.segmentation) lines.push(`seg:      ${report.segmentation.file} (${report.segmentation.labels.filter((l) => l.code !== 0).length} labels besides 0)`);
  if (report.prior) lines.push(`prior:    ${report.prior.file} (${report.prior.numLabels} labels, ${report.prior.forbiddenUnorderedPairs} forbidden pairs)`);
  if (report.check) lines.push(`check:    ${report.check.forbiddenPairs} forbidden pairs touch, ${report.check.forbiddenContacts} contacts`);
  return lines;
}
