import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { HomePaths } from '../home/paths.ts';

// Paused skills survive restarts: a pause is state, kept beside the ledgers (runs/_paused.json).
// The file is a JSON array: a plain name (a pause without a note, the only form before the note
// existed) or `{name, note, at}`, so an older reader's file still reads and a note travels with
// its pause (as Temporal keeps a schedule's pause note with the schedule).

/** A pause note is one short line: what a person would write on a sticky note. */
export const PAUSE_NOTE_MAX = 200;

export interface PauseRecord {
  /** Why it was paused, as the person who paused it wrote it; '' for none. */
  note: string;
  /** When (ISO), or null when the file does not say (a pause from before notes). */
  at: string | null;
}

function file(paths: HomePaths): string {
  return join(paths.runs, '_paused.json');
}

/** Every paused skill with its note. A missing or unreadable file: none paused. */
export function readPauses(paths: HomePaths): Map<string, PauseRecord> {
  const out = new Map<string, PauseRecord>();
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file(paths), 'utf8'));
  } catch {
    return out;
  }
  if (!Array.isArray(v)) return out;
  for (const x of v) {
    if (typeof x === 'string') out.set(x, { note: '', at: null });
    else if (x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string') {
      const r = x as { name: string; note?: unknown; at?: unknown };
      out.set(r.name, { note: typeof r.note === 'string' ? cleanPauseNote(r.note) : '', at: typeof r.at === 'string' ? r.at : null });
    }
  }
  return out;
}

export function readPaused(paths: HomePaths): Set<string> {
  return new Set(readPauses(paths).keys());
}

export function writePaused(paths: HomePaths, pauses: Map<string, PauseRecord>): void {
  const list = [...pauses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(
    ([name, r]) => (r.note || r.at ? { name, note: r.note, at: r.at } : name),
  );
  writeFileAtomic.sync(file(paths), JSON.stringify(list) + '\n', { mode: 0o600, fsync: false });
}

/**
 * A note as kept and shown: one line, no control characters (it reaches terminals and the tray),
 * trimmed, at most PAUSE_NOTE_MAX characters (a command refuses a longer one before this).
 */
export function cleanPauseNote(raw: string): string {
  return raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim().slice(0, PAUSE_NOTE_MAX);
}
