import { appendFileSync, renameSync, statSync } from 'node:fs';

/** Passed into core code; the app supplies a file logger, tests a memory one. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(context: string): Logger;
}

type Sink = (level: 'info' | 'warn' | 'error', line: string) => void;

function makeLogger(sink: Sink, prefix: string): Logger {
  const fmt = (m: string) => (prefix ? `[${prefix}] ${m}` : m);
  return {
    info: (m) => sink('info', fmt(m)),
    warn: (m) => sink('warn', fmt(m)),
    error: (m) => sink('error', fmt(m)),
    child: (context) => makeLogger(sink, prefix ? `${prefix} ${context}` : context),
  };
}

/** `clean` filters each line (the CLI strips control characters from what it prints). */
export function createConsoleLogger(prefix = '', quiet = false, clean: (s: string) => string = (s) => s): Logger {
  return makeLogger((level, line) => {
    if (quiet && level === 'info') return;
    const stamp = new Date().toISOString();
    (level === 'info' ? process.stdout : process.stderr).write(`${stamp} ${level.toUpperCase()} ${clean(line)}\n`);
  }, prefix);
}

/** The app's log is bounded: past `maxBytes` it becomes `<file>.1` (one generation kept). */
export const APP_LOG_MAX_BYTES = 5 * 1024 * 1024;

export function createFileLogger(file: string, alsoConsole = false, maxBytes = APP_LOG_MAX_BYTES): Logger {
  let size: number | null = null;
  return makeLogger((level, line) => {
    const text = `${new Date().toISOString()} ${level.toUpperCase()} ${line}\n`;
    try {
      if (size === null) {
        try {
          size = statSync(file).size;
        } catch {
          size = 0;
        }
      }
      if (size + text.length > maxBytes && size > 0) {
        renameSync(file, `${file}.1`);
        size = 0;
      }
      appendFileSync(file, text, { mode: 0o600 });
      size += Buffer.byteLength(text);
    } catch {
      // A logger must never take the host down: a full disk loses log lines, not runs.
      size = null;
    }
    if (alsoConsole) (level === 'info' ? process.stdout : process.stderr).write(text);
  }, '');
}

export interface MemoryLogger extends Logger {
  lines: string[];
}

export function createMemoryLogger(): MemoryLogger {
  const lines: string[] = [];
  const logger = makeLogger((level, line) => lines.push(`${level}: ${line}`), '') as MemoryLogger;
  logger.lines = lines;
  return logger;
}
