import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync } from 'node:fs';
import type { Logger } from './logger.ts';

/**
 * Reads a JSON-lines file. A corrupt or truncated line (a crash mid-write, a hand edit) is skipped
 * with a warning naming the file and line; it never makes the whole file unreadable.
 */
export function readJsonl<T>(file: string, logger: Logger, isValid: (v: unknown) => v is T): T[] {
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    logger.warn(`cannot read ${file}: ${(err as Error).message}; treating it as empty`);
    return [];
  }
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      logger.warn(`${file}:${i + 1}: skipped a corrupt line (not JSON): ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    if (!isValid(value)) {
      logger.warn(`${file}:${i + 1}: skipped a line that is not a valid entry`);
      continue;
    }
    out.push(value);
  }
  return out;
}

/**
 * Appends one entry. A line torn by a crash leaves no newline behind: the next append starts on a
 * fresh line so that only the torn line is lost, never the new one.
 */
// Files whose tail this process has already seen end in a newline (it wrote the last line).
const cleanTails = new Set<string>();

export function appendJsonl(file: string, entry: unknown): void {
  let prefix = '';
  if (!cleanTails.has(file)) {
    try {
      const size = statSync(file).size;
      if (size > 0) {
        const fd = openSync(file, 'r');
        try {
          const buf = Buffer.alloc(1);
          readSync(fd, buf, 0, 1, size - 1);
          if (buf[0] !== 0x0a) prefix = '\n';
        } finally {
          closeSync(fd);
        }
      }
    } catch {
      // no file yet
    }
  }
  appendFileSync(file, prefix + JSON.stringify(entry) + '\n', { mode: 0o600 });
  cleanTails.add(file);
}

/** Keeps a JSON-lines file bounded: past maxBytes it becomes `<file>.1` (one generation kept). */
export function rotateIfLarge(file: string, maxBytes: number): boolean {
  try {
    if (statSync(file).size < maxBytes) return false;
  } catch {
    return false;
  }
  renameSync(file, rotatedName(file));
  cleanTails.delete(file);
  return true;
}

export function rotatedName(file: string): string {
  return file.replace(/\.jsonl$/, '.1.jsonl');
}
