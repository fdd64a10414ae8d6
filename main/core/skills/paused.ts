import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { HomePaths } from '../home/paths.ts';

// Paused skills survive restarts: a pause is state, kept beside the ledgers.
function file(paths: HomePaths): string {
  return join(paths.runs, '_paused.json');
}

export function readPaused(paths: HomePaths): Set<string> {
  try {
    const v = JSON.parse(readFileSync(file(paths), 'utf8')) as unknown;
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function writePaused(paths: HomePaths, names: Set<string>): void {
  writeFileAtomic.sync(file(paths), JSON.stringify([...names].sort()) + '\n', { mode: 0o600, fsync: false });
}
