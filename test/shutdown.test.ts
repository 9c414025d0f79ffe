// SIGTERM as an orchestrator sends it, to the real process (`npm start`): the listening socket
// closes at once (a new connection is refused), an idle keep-alive connection is closed at once,
// a request still being uploaded finishes with its normal answer, and then the process exits 0.
// It listens on loopback unless HOST says otherwise.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { test } from 'node:test';
import { eventually } from './support/data.ts';
import { processFixture, startProcess, stopProcess, withTimeout, type Started } from './support/process.ts';

const files = processFixture('shutdown');
const adminKey = `chl_test_${randomBytes(24).toString('base64url')}`;
const start = () => startProcess({ DATABASE_URL: files.db.url, PORT: '0', CHASELINE_DATA_DIR: files.dataDir, CHASELINE_ADMIN_KEY: adminKey }, 'all');

/** Resolves with the error code of a fresh TCP connection to `port` (null if it connected). */
const connectError = (port: number, host = '127.0.0.1') =>
  new Promise<string | null>((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve('timeout');
    });
  });

test('SIGTERM: new connections are refused, idle ones closed, the upload in flight completes normally, then exit 0', { timeout: 240_000 }, async () => {
  const app: Started = await start();
  let exited = false;
  void app.exited.then(() => (exited = true));
  try {
    const { port } = new URL(app.url);
    const agent = new http.Agent({ keepAlive: true });

    // An idle kept-alive connection, as a client library leaves one between requests.
    // (Wrapped: a promise resolved with a promise would wait for that one.)
    const idle = await new Promise<{ closed: Promise<void> }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          const socket = res.socket;
          const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
          res.resume();
          res.once('end', () => resolve({ closed }));
        })
        .once('error', reject);
    });

    // A multipart CSV upload whose body comes in two halves: the server has the request (it
    // answered 100-continue) when SIGTERM arrives, and the rest of the body after.
    const boundary = `----chaseline${randomBytes(8).toString('hex')}`;
    const body = Buffer.from(
      [
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="late.csv"',
        'Content-Type: text/csv',
        '',
        'name,phone',
        'Late One,+8613900139001',
        'Late Two,+8613900139002',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    const half = Math.floor(body.length / 2);
    const upload = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/imports',
      agent: new http.Agent({ keepAlive: true }),
      headers: {
        authorization: `Bearer ${adminKey}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': body.length,
        expect: '100-continue',
      },
    });
    const answer = new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
      upload.once('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
      });
      upload.once('error', reject);
    });
    await withTimeout(new Promise<void>((resolve) => upload.once('continue', resolve)), 30_000, '100 Continue');
    upload.write(body.subarray(0, half));

    app.child.kill('SIGTERM');
    await eventually(() => /shutting down/.test(app.stdout()), 'the shutdown to begin', 15_000);
    assert.equal(await connectError(Number(port)), 'ECONNREFUSED', 'a new connection after SIGTERM is refused');
    await withTimeout(idle.closed, 3_000, 'the idle keep-alive connection to be closed');
    assert.equal(exited, false, 'still running while a request is in flight');

    upload.end(body.subarray(half));
    const res = await withTimeout(answer, 30_000, 'the answer to the upload in flight');
    assert.equal(res.status, 201, res.text);
    assert.deepEqual({ total: JSON.parse(res.text).total, created: JSON.parse(res.text).created }, { total: 2, created: 2 });
    assert.equal(res.connection, 'close', 'the answer tells the client not to reuse the connection');
    agent.destroy();

    const code = await withTimeout(app.exited, 60_000, 'the process to exit once drained');
    assert.equal(code, 0, app.stdout().slice(-2000) + app.stderr().slice(-2000));
    assert.match(app.stdout(), /"msg":"stopped"/);
  } finally {
    if (!exited) app.child.kill('SIGKILL');
  }
});

test('it listens on 127.0.0.1 unless HOST says otherwise', { timeout: 240_000 }, async () => {
  const app = await start();
  try {
    assert.match(app.stdout(), /"host":"127\.0\.0\.1"/);
    const { port } = new URL(app.url);
    // Another address of this machine, when it has one: nothing listens there.
    const other = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (other) assert.equal(await connectError(Number(port), other.address), 'ECONNREFUSED');
  } finally {
    assert.equal(await stopProcess(app), 0);
  }
});
