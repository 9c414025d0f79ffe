// Which port the embedded PostgreSQL listens on: the configured one, or — when another
// program already holds it — a free one, so a laptop with its own PostgreSQL on 5439 (or a
// second checkout running) still starts. A server of our own data directory already running
// on the port is found before this is asked (see findRunningServer) and re-used instead.
import net from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** Whether 127.0.0.1:`port` can be bound right now (by PostgreSQL, a moment later). */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(false) : reject(err)));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `wanted` when free, else a free port and a sentence saying so. */
export async function choosePort(wanted: number): Promise<{ port: number; notice?: string }> {
  if (await portIsFree(wanted)) return { port: wanted };
  const port = await findFreePort();
  return {
    port,
    notice: `embedded PostgreSQL: port ${wanted} on 127.0.0.1 is taken by another program, so it listens on ${port} instead (set CHASELINE_EMBEDDED_PG_PORT to choose the port)`,
  };
}
