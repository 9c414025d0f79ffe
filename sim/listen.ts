// Starting a simulator's (or a test receiver's) server. A port that cannot be bound — taken,
// not permitted — rejects at once with the reason, rather than an 'error' event nobody
// listens to (which kills the process) or a start that never settles.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      // The errno code stays on the error, so a caller can still tell a taken port (EADDRINUSE).
      const code = (err as NodeJS.ErrnoException).code;
      reject(Object.assign(new Error(`the simulator cannot listen on ${host}:${port}: ${err.message}`, { cause: err }), code ? { code } : {}));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
