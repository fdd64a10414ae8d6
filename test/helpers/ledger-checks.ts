import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Entry = Record<string, unknown>;

export function writeConfig(home: string, config: unknown): void {
  writeFileSync(join(home, 'config.json'), JSON.stringify(config));
}

/** Every slot at most once: one schedule/catch-up start per slot, and never a start and a skip. */
export function assertNoSlotTwice(entries: Entry[], skill: string): void {
  const starts = new Map<string, number>();
  const skips = new Set<string>();
  for (const e of entries) {
    if (e.type === 'start' && e.slot && e.trigger !== 'retry') starts.set(e.slot as string, (starts.get(e.slot as string) ?? 0) + 1);
    if (e.type === 'skip') {
      assert.ok(!skips.has(e.slot as string), `${skill}: slot ${String(e.slot)} skipped twice`);
      skips.add(e.slot as string);
    }
  }
  for (const [slot, n] of starts) {
    assert.equal(n, 1, `${skill}: slot ${slot} started ${n} times`);
    assert.ok(!skips.has(slot), `${skill}: slot ${slot} both started and skipped`);
  }
}

export const startsOf = (e: Entry[]): Entry[] => e.filter((x) => x.type === 'start');
