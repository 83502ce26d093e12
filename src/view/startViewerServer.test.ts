import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { makeViewerData, type ViewerData } from './makeViewerData.js';
import { SERVED_PAGE_CSP, startViewerServer, type ViewerServer } from './startViewerServer.js';

const assets = { js: 'console.log("viewer")', css: 'body{}' };

/** 4×1×1 labels 1 2 2 0 with 1–2 forbidden: one pair, so every route exists. */
function tinyData(): ViewerData {
  const seg = makeVolume([4, 1, 1], new Uint8Array([1, 2, 2, 0]));
  return makeViewerData({
    image: { file: 'img.nii.gz', volume: makeVolume([4, 1, 1], new Float32Array([0, 1, 2, 3])) },
    segmentation: { file: 'seg.nii.gz', volume: seg },
    prior: { file: 'graph.json', prior: AdjacencyPrior.fromCounts([[1, 1, 1], [1, 1, 0], [1, 0, 1]]) },
  });
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP/1.1 request with the target sent byte for byte (no client-side normalisation of `..` or `%2e`). */
function raw(port: number, target: string, options: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks);
      const split = text.indexOf('\r\n\r\n');
      const head = text.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(head[0].split(' ')[1]), headers, body: text.subarray(split + 4) });
    });
    socket.write(`${options.method ?? 'GET'} ${target} HTTP/1.1\r\nHost: ${options.host ?? `127.0.0.1:${port}`}\r\nConnection: close\r\n\r\n`);
  });
}

describe('startViewerServer', () => {
  let server: ViewerServer;
  const data = tinyData();
  before(async () => {
    // The token has its own tests below; these check routes, methods and hosts.
    server = await startViewerServer(data, { port: 0, assets, token: null });
  });
  after(() => server.close());

  test('listens on 127.0.0.1 only and prints that URL', () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
  });

  test('serves the page, its assets, the report and the three volumes', async () => {
    const page = await raw(server.port, '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['content-security-policy'], SERVED_PAGE_CSP);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(page.body.toString(), /data-source="served"/);
    assert.match(page.body.toString(), /<script src="assets\/viewer\.js"><\/script>/);
    assert.equal((await raw(server.port, '/assets/viewer.js')).body.toString(), assets.js);
    assert.equal((await raw(server.port, '/assets/viewer.css')).body.toString(), assets.css);
    const report = JSON.parse((await raw(server.port, '/data/report.json')).body.toString());
    assert.deepEqual(report, data.report);
    assert.deepEqual(new Uint8Array((await raw(server.port, '/data/image.nii.gz')).body), data.volumes.image);
    assert.deepEqual(new Uint8Array((await raw(server.port, '/data/seg.nii.gz')).body), data.volumes.segmentation);
    assert.deepEqual(new Uint8Array((await raw(server.port, '/data/contacts.nii.gz')).body), data.volumes.contacts);
    // A query string does not change the route.
    assert.equal((await raw(server.port, '/assets/viewer.css?v=2')).status, 200);
  });

  test('nothing else is reachable: dot segments, encoded separators, absolute forms, other files', async () => {
    const targets = [
      '/../package.json',
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/data/..%5c..%5cpackage.json',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '//etc/passwd',
      '/etc/passwd',
      '/data/image.nii.gz/..',
      '/data/./report.json',
      '/assets/viewer.js/',
      '/ASSETS/viewer.js',
      '/data/',
      '/index.html',
      '/src/cli/main.ts',
      '/data/%2e%2e%2f%2e%2e%2fpackage.json',
      'http://127.0.0.1/../package.json',
      '*',
    ];
    for (const target of targets) {
      const reply = await raw(server.port, target);
      assert.equal(reply.status, 404, `${target} → ${reply.status}`);
      assert.equal(reply.body.toString(), 'not found\n', target);
    }
  });

  test('only GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const reply = await raw(server.port, '/', { method });
      assert.equal(reply.status, 405, method);
      assert.equal(reply.headers.allow, 'GET, HEAD');
    }
    const head = await raw(server.port, '/data/report.json', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers['content-length']), Buffer.byteLength(JSON.stringify(data.report)));
  });

  test('a Host other than a loopback name is refused (DNS rebinding); loopback on any port is served (SSH tunnels)', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.2:80', 'localhost.evil.example:9000', '', '[::2]:9000', '127.0.0.1:abc']) {
      assert.equal((await raw(server.port, '/', { host })).status, 403, host);
    }
    for (const host of [`localhost:${server.port}`, '127.0.0.1:9000', 'localhost:1', 'LOCALHOST:9000', '[::1]:9000', '127.0.0.1']) {
      assert.equal((await raw(server.port, '/', { host })).status, 200, host);
    }
  });

  test('without a segmentation or prior, their routes do not exist', async () => {
    const imageOnly = makeViewerData({ image: { file: 'i', volume: makeVolume([2, 1, 1], new Float32Array([0, 1])) } });
    const other = await startViewerServer(imageOnly, { port: 0, assets, token: null });
    try {
      assert.equal((await raw(other.port, '/data/image.nii.gz')).status, 200);
      assert.equal((await raw(other.port, '/data/seg.nii.gz')).status, 404);
      assert.equal((await raw(other.port, '/data/contacts.nii.gz')).status, 404);
    } finally {
      await other.close();
    }
  });
});

describe('startViewerServer ports', () => {
  test('a port in use moves to the next free one', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const server = await startViewerServer(tinyData(), { port: taken, assets });
    try {
      // Usually taken + 1; on a busy machine that one may be taken too, and any later port is the same behaviour.
      assert.ok(server.port > taken && server.port < taken + 100, `${server.port} after ${taken}`);
    } finally {
      await server.close();
      blocker.close();
    }
  });

  test('no free port in the range: an error naming the range and --port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      await assert.rejects(startViewerServer(tinyData(), { port: taken, portAttempts: 1, assets }), new RegExp(`no free port on 127\\.0\\.0\\.1 in ${taken}\\.\\.${taken}; give another with --port`));
    } finally {
      blocker.close();
    }
  });

  test('close() ends kept-alive connections, so the process can exit', async () => {
    const server = await startViewerServer(tinyData(), { port: 0, assets, token: null });
    // A keep-alive request leaves its socket open; close() must not wait for it to time out.
    const agentReply = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/data/report.json', headers: { Connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(agentReply, 200);
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 2000);
  });

  test('a bad port number is refused', async () => {
    await assert.rejects(startViewerServer(tinyData(), { port: 70000, assets }), /startViewerServer: port 70000, expected an integer in 0\.\.65535/);
  });
});

describe('startViewerServer: token and --allow-host', () => {
  let server: ViewerServer;
  before(async () => {
    server = await startViewerServer(tinyData(), { port: 0, assets, allowHosts: ['node17', 'gateway.example:9443'] });
  });
  after(() => server.close());

  test('the URL carries a random token; without it every route is refused', async () => {
    assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{32}$`));
    for (const target of ['/', '/data/report.json', '/data/image.nii.gz', '/assets/viewer.js', '/?token=wrong', `/?token=${server.token}x`]) {
      const reply = await raw(server.port, target);
      assert.equal(reply.status, 403, target);
      assert.match(reply.body.toString(), /missing or wrong token/);
    }
  });

  test('?token= serves and sets an HttpOnly SameSite=Strict cookie, which then authorises the page\'s requests', async () => {
    const first = await raw(server.port, `/?token=${server.token}`);
    assert.equal(first.status, 200);
    const cookie = String(first.headers['set-cookie']);
    assert.match(cookie, new RegExp(`^nonadj_view_${server.port}=${server.token}; Path=/; HttpOnly; SameSite=Strict$`));
    const withCookie = (target: string, value: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1');
        let text = '';
        socket.on('data', (c) => (text += c.toString('latin1')));
        socket.on('error', reject);
        socket.on('end', () => resolve(Number(text.split(' ')[1])));
        socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nCookie: other=1; ${value}\r\nConnection: close\r\n\r\n`);
      });
    assert.equal(await withCookie('/data/report.json', cookie.split(';')[0]), 200);
    assert.equal(await withCookie('/data/report.json', `nonadj_view_${server.port}=${'0'.repeat(32)}`), 403);
    assert.equal(await withCookie('/data/report.json', `nonadj_view_1=${server.token}`), 403); // another server's cookie
  });

  test('--allow-host: a bare name on any port, or an exact name:port', async () => {
    const t = `/?token=${server.token}`;
    assert.equal((await raw(server.port, t, { host: 'node17:8080' })).status, 200);
    assert.equal((await raw(server.port, t, { host: 'NODE17' })).status, 200);
    assert.equal((await raw(server.port, t, { host: 'gateway.example:9443' })).status, 200);
    assert.equal((await raw(server.port, t, { host: 'gateway.example:9444' })).status, 403);
    assert.equal((await raw(server.port, t, { host: 'node18:8080' })).status, 403);
  });

  test('a token that is too short or has odd characters is refused', async () => {
    await assert.rejects(startViewerServer(tinyData(), { port: 0, assets, token: 'abc' }), /token must be at least 8/);
  });
});
