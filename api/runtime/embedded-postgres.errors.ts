// When the embedded PostgreSQL cannot start, the person at the terminal gets one sentence:
// what went wrong and what to set, instead of the server's raw log (which stays at debug
// level: LOG_LEVEL=debug shows it).

/** An embedded PostgreSQL failure whose message is meant for a person, not a stack trace. */
export class EmbeddedPostgresError extends Error {}

const ELSEWHERE = 'or set DATABASE_URL to use a PostgreSQL of your own';

/** The first line of PostgreSQL's output that says why it stopped (FATAL/PANIC/ERROR), without its prefix. */
export function fatalLine(log: string): string | undefined {
  const line = log.split('\n').find((l) => /\b(FATAL|PANIC|ERROR):/.test(l));
  return line?.replace(/^.*?\b(FATAL|PANIC|ERROR):\s*/, '').trim();
}

/** Why the server would not start, as a sentence naming the cause and the setting that fixes it. */
export function explainStartFailure(log: string, context: { port: number; dataDir: string; cause: string }): string {
  const { port, dataDir } = context;
  const said = fatalLine(log);
  const start = `Embedded PostgreSQL could not start on 127.0.0.1:${port} with the data in ${dataDir}`;
  if (/Address already in use|could not bind|could not create any TCP\/IP sockets/i.test(log)) {
    return `${start}: another program took port ${port} as it started. Set CHASELINE_EMBEDDED_PG_PORT to a free port, ${ELSEWHERE}.`;
  }
  const lock = /lock file "postmaster\.pid" already exists[\s\S]*?PID (\d+)/i.exec(log);
  if (lock || /lock file .* already exists/i.test(log)) {
    return `${start}: another PostgreSQL server${lock ? ` (pid ${lock[1]})` : ''} is using that data directory. Stop it, set CHASELINE_DATA_DIR to another directory, ${ELSEWHERE}.`;
  }
  const version =
    /database files are incompatible with server[\s\S]*?initialized by PostgreSQL version (\S+?)\.?,? which is not compatible with this version (\S+?)\.?$/im.exec(
      log,
    );
  if (version || /database files are incompatible with server/i.test(log)) {
    const which = version ? ` (made by PostgreSQL ${version[1]}; this is ${version[2]})` : '';
    return `${start}: the data directory was made by another PostgreSQL version${which}. Move ${dataDir} aside, set CHASELINE_DATA_DIR to another directory, ${ELSEWHERE}.`;
  }
  if (/Permission denied/i.test(log)) {
    return `${start}: ${said ?? 'permission denied'}. Make the directory writable by the user PostgreSQL runs as, set CHASELINE_DATA_DIR to another directory, ${ELSEWHERE}.`;
  }
  if (/No space left on device|could not (create|resize) shared memory/i.test(log)) {
    return `${start}: ${said ?? 'out of disk or shared memory'}. Free some space, set CHASELINE_DATA_DIR to another disk, ${ELSEWHERE}.`;
  }
  return `${start}: ${said ?? context.cause}. Run with LOG_LEVEL=debug to see PostgreSQL's own log; set CHASELINE_EMBEDDED_PG_PORT or CHASELINE_DATA_DIR to try another port or directory, ${ELSEWHERE}.`;
}
