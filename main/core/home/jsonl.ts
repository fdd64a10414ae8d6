import {
  closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync,
} from 'node:fs';
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
  const fd = openSync(file, 'a', 0o600);
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (!cleanTails.has(file) && size > 0) {
      const buf = Buffer.alloc(1);
      const rfd = openSync(file, 'r');
      try {
        readSync(rfd, buf, 0, 1, size - 1);
      } finally {
        closeSync(rfd);
      }
      if (buf[0] !== 0x0a) prefix = '\n';
    }
    const data = Buffer.from(prefix + JSON.stringify(entry) + '\n');
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off);
    } catch (err) {
      // A full disk can take part of the line: cut it off again, so the file never holds a torn
      // line of ours (and the space is given back). If even that fails, the next append looks at
      // the tail and starts on a fresh line.
      cleanTails.delete(file);
      try {
        ftruncateSync(fd, size);
      } catch {
        // the tail check covers it
      }
      throw err;
    }
  } finally {
    closeSync(fd);
  }
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
