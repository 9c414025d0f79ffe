/**
 * The process's logger: pino JSON for machines (log shippers, files, pipes), and pino-pretty's
 * coloured one-line-per-event form when a person watches the terminal. `LOG_FORMAT` overrides
 * the guess (`json` under a terminal multiplexer that should still ship JSON, `pretty` when
 * piping to `less -R`).
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config.ts';

export type LogFormat = 'json' | 'pretty';

/** The format for output to file descriptor `fd`: the configured one, else pretty on a TTY only. */
export function logFormat(config: Pick<Config, 'LOG_FORMAT'>, fd: 1 | 2 = 1): LogFormat {
  if (config.LOG_FORMAT) return config.LOG_FORMAT;
  return (fd === 1 ? process.stdout : process.stderr).isTTY ? 'pretty' : 'json';
}

export function createLogger(config: Pick<Config, 'LOG_FORMAT' | 'LOG_LEVEL'>, options: LoggerOptions = {}, fd: 1 | 2 = 1): Logger {
  const settings: LoggerOptions = { level: config.LOG_LEVEL, ...options };
  if (logFormat(config, fd) === 'json') return pino(settings, pino.destination({ fd, sync: true }));
  // In this thread and synchronous: a line written just before process.exit() is not lost.
  return pino(settings, pretty({ destination: fd, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l Z', ignore: 'pid,hostname,service' }));
}
