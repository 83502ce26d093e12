import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ViewerData } from './makeViewerData.js';
import { readViewerAssets, type ViewerAssets } from './readViewerAssets.js';
import { viewerPageHtml } from './viewerPageHtml.js';

/** The only address the server listens on: the page is for the person at this machine. */
export const VIEWER_HOST = '127.0.0.1';

/** Options of {@link startViewerServer}. */
export interface StartViewerServerOptions {
  /** First port to try; 0 lets the system pick a free one. @default 8080 */
  port?: number;
  /** Successive ports tried when one is in use (`port`, `port + 1`, …). @default 100 */
  portAttempts?: number;
  /** The built page assets; default read from the package (`readViewerAssets()`). */
  assets?: ViewerAssets;
  /**
   * Secret every request must carry, as `?token=…` (the URL printed) or the cookie the page receives with it, so
   * that other users of a shared machine cannot fetch the volumes. Default: 32 random hex digits; `null`: no token.
   */
  token?: string | null;
  /**
   * `Host` headers accepted besides loopback ones (127.0.0.1, localhost, [::1], on any port, which is what an SSH
   * tunnel such as `ssh -L 9000:127.0.0.1:8080` sends): a name (`myhost`, any port) or a `name:port`.
   */
  allowHosts?: readonly string[];
}

/** A running viewer server. */
export interface ViewerServer {
  /** `http://127.0.0.1:<port>/`, with `?token=…` when a token is required: the URL to open. */
  url: string;
  port: number;
  /** The token requests need, or null. */
  token: string | null;
  /** Stop listening and drop open connections (browsers keep them alive); resolves once closed. */
  close(): Promise<void>;
}

/** Content-Security-Policy of the served page: its own script, style and data only. */
export const SERVED_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Route {
  type: string;
  body: Uint8Array | string;
}

/**
 * Serve the `nonadj view` page on 127.0.0.1. The route table is fixed when the server starts and holds only the
 * page, its two assets, the report and the volumes given (all in memory): a request path is compared with these
 * strings as sent, never decoded, normalised or joined to a folder, so no path (`..`, `%2e%2e`, `%2f`, absolute
 * forms) reaches the file system. Only GET and HEAD are answered, only for a loopback `Host` (127.0.0.1, localhost,
 * [::1], any port, so SSH tunnels work) or one of `allowHosts` (a page elsewhere cannot reach the server through DNS
 * rebinding), and, as Jupyter does, only with the token: `?token=…` in the URL, which also sets an HttpOnly,
 * SameSite=Strict cookie so that the page's own requests carry it.
 *
 * | path | content |
 * |---|---|
 * | `/` | the page |
 * | `/assets/viewer.js`, `/assets/viewer.css` | its script and style |
 * | `/data/report.json` | the page model (`ViewerReport`) |
 * | `/data/image.nii.gz`, `/data/seg.nii.gz`, `/data/contacts.nii.gz` | the volumes (the last two when present) |
 *
 * @throws Error when no port in `port … port + portAttempts − 1` is free, or the assets are not built.
 */
export async function startViewerServer(data: ViewerData, options: StartViewerServerOptions = {}): Promise<ViewerServer> {
  const assets = options.assets ?? (await readViewerAssets());
  const page = viewerPageHtml({
    title: `nonadj view: ${data.report.image.file}`,
    source: 'served',
    head: '<link rel="stylesheet" href="assets/viewer.css">',
    tail: '<script src="assets/viewer.js"></script>',
  });
  const routes = new Map<string, Route>([
    ['/', { type: 'text/html; charset=utf-8', body: page }],
    ['/assets/viewer.js', { type: 'text/javascript; charset=utf-8', body: assets.js }],
    ['/assets/viewer.css', { type: 'text/css; charset=utf-8', body: assets.css }],
    ['/data/report.json', { type: 'application/json; charset=utf-8', body: JSON.stringify(data.report) }],
    ['/data/image.nii.gz', { type: 'application/gzip', body: data.volumes.image }],
  ]);
  if (data.volumes.segmentation) routes.set('/data/seg.nii.gz', { type: 'application/gzip', body: data.volumes.segmentation });
  if (data.volumes.contacts) routes.set('/data/contacts.nii.gz', { type: 'application/gzip', body: data.volumes.contacts });

  const token = options.token === undefined ? randomBytes(16).toString('hex') : options.token;
  if (token !== null && !/^[\w-]{8,}$/.test(token)) throw new RangeError('startViewerServer: token must be at least 8 letters, digits, "_" or "-"');
  const access: Access = { token, allowHosts: (options.allowHosts ?? []).map((h) => h.toLowerCase()), port: 0 };
  const server = createServer((request, response) => handle(request, response, routes, access));
  // Slow or idle clients must not hold the process open after Ctrl-C; requests here are tiny.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const port = await listenOnFreePort(server, options.port ?? 8080, options.portAttempts ?? 100);
  access.port = port;
  return {
    url: `http://${VIEWER_HOST}:${port}/${token === null ? '' : `?token=${token}`}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Who may talk to the server: the token (or null), extra Host names, and the port it listens on. */
interface Access {
  token: string | null;
  allowHosts: string[];
  port: number;
}

/** Whether a `Host` header names this machine's loopback interface (any port) or an allowed host. */
function hostAllowed(host: string, access: Access): boolean {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host);
  if (!m) return false;
  const name = m[1].toLowerCase();
  if (name === VIEWER_HOST || name === 'localhost' || name === '[::1]') return true;
  return access.allowHosts.includes(name) || access.allowHosts.includes(host.toLowerCase());
}

/** The token of the query string or of the cookie, if any. */
function tokenOf(request: IncomingMessage, cookieName: string): { fromQuery: string | null; fromCookie: string | null } {
  const target = request.url ?? '';
  const query = target.indexOf('?');
  const fromQuery = query >= 0 ? new URLSearchParams(target.slice(query + 1)).get('token') : null;
  let fromCookie: string | null = null;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === cookieName) fromCookie = part.slice(eq + 1).trim();
  }
  return { fromQuery, fromCookie };
}

function sameSecret(a: string | null, b: string): boolean {
  if (a === null) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Constant time, so the token cannot be guessed character by character from response times.
  return x.length === y.length && timingSafeEqual(x, y);
}

function handle(request: IncomingMessage, response: ServerResponse, routes: ReadonlyMap<string, Route>, access: Access): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  const host = request.headers.host ?? '';
  if (!hostAllowed(host, access)) return plain(response, 403, `forbidden host: ${host || '(none)'} (nonadj view --allow-host to accept it)`);
  if (access.token !== null) {
    // The cookie name carries the port: cookies are shared by every port of a host.
    const cookieName = `nonadj_view_${access.port}`;
    const { fromQuery, fromCookie } = tokenOf(request, cookieName);
    if (sameSecret(fromQuery, access.token)) {
      response.setHeader('Set-Cookie', `${cookieName}=${access.token}; Path=/; HttpOnly; SameSite=Strict`);
    } else if (!sameSecret(fromCookie, access.token)) {
      return plain(response, 403, 'missing or wrong token: open the URL nonadj view printed (…/?token=…)');
    }
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return plain(response, 405, 'method not allowed');
  }
  // The path as sent, query string dropped: compared with the table as is, never decoded or normalised.
  const target = request.url ?? '';
  const query = target.indexOf('?');
  const route = routes.get(query >= 0 ? target.slice(0, query) : target);
  if (!route) return plain(response, 404, 'not found');
  if (route.type.startsWith('text/html')) response.setHeader('Content-Security-Policy', SERVED_PAGE_CSP);
  response.writeHead(200, { 'Content-Type': route.type, 'Content-Length': Buffer.byteLength(route.body) });
  response.end(request.method === 'HEAD' ? undefined : route.body);
}

function plain(response: ServerResponse, status: number, text: string): void {
  const body = `${text}\n`;
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/** Listen on the first free port of `first … first + attempts − 1` on 127.0.0.1; resolves to the port. */
async function listenOnFreePort(server: Server, first: number, attempts: number): Promise<number> {
  if (!Number.isInteger(first) || first < 0 || first > 65535) throw new RangeError(`startViewerServer: port ${first}, expected an integer in 0..65535`);
  const last = first === 0 ? 0 : Math.min(65535, first + Math.max(1, attempts) - 1);
  for (let port = first; port <= last; port++) {
    const outcome = await new Promise<'ok' | 'in use'>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (error.code === 'EADDRINUSE') resolve('in use');
        else reject(new Error(`cannot listen on ${VIEWER_HOST}:${port}: ${error.code ?? error.message}`, { cause: error }));
      };
      const onListening = () => {
        server.off('error', onError);
        resolve('ok');
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, VIEWER_HOST);
    });
    if (outcome === 'ok') return (server.address() as AddressInfo).port;
  }
  throw new Error(`no free port on ${VIEWER_HOST} in ${first}..${last}; give another with --port`);
}
