import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { readLedger, tempHome, waitFor, writeSkill } from '../helpers/home.ts';

describe('no slot goes unrecorded across a slow reload', () => {
  it('reloading 500 skill files (and an 80 MB one) while a per-second skill runs: every slot has exactly one entry', async () => {
    const t = tempHome();
    writeSkill(t.home, 'tick', { schedule: '* * * * * *', command: ['true'], timeoutSeconds: 5 });
    for (let i = 0; i < 500; i++) writeSkill(t.home, `other-${i}`, { schedule: '0 0 1 1 *', command: ['true'], description: `skill ${i}` });
    // A huge skill file: parsing it takes long enough that per-second slots fall due meanwhile.
    mkdirSync(join(t.home, 'skills', 'huge'), { recursive: true });
    writeFileSync(
      join(t.home, 'skills', 'huge', 'skill.json'),
      JSON.stringify({ name: 'huge', schedule: '0 0 1 1 *', command: ['true'], env: { BIG: 'x'.repeat(80 * 1024 * 1024) } }),
    );
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger() });
    await host.start();
    const loads: number[] = [];
    /** Reloads during which a per-second slot fell due (a whole second passed inside them). */
    let spanned = 0;
    try {
      await waitFor('the first slot', () => readLedger(t.home, 'tick').length > 0, 10_000);
      for (let i = 0; i < 4; i++) {
        const t0 = Date.now();
        // However fast this machine parses the files, the loop stays blocked past a slot before the
        // trigger is re-armed, as a slow disk would keep it (deterministic: a slot always falls due).
        if (i % 2 === 0) while (Date.now() - t0 < 1100);
        host.reload();
        const t1 = Date.now();
        loads.push(t1 - t0);
        if (Math.floor(t1 / 1000) > Math.floor(t0 / 1000)) spanned++;
        await new Promise((r) => setTimeout(r, 700));
      }
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await host.stop();
    }
    const entries = readLedger(t.home, 'tick');
    const bySlot = new Map<string, string[]>();
    for (const e of entries) if (e.type !== 'end') bySlot.set(String(e.slot), [...(bySlot.get(String(e.slot)) ?? []), String(e.type)]);
    const slots = [...bySlot.keys()].map(Date.parse).sort((a, b) => a - b);
    const missing: string[] = [];
    for (let s = slots[0]!; s <= slots[slots.length - 1]!; s += 1000) {
      if (!bySlot.has(new Date(s).toISOString())) missing.push(new Date(s).toISOString());
    }
    const twice = [...bySlot].filter(([, kinds]) => kinds.length !== 1);
    assert.ok(spanned > 0, `a slot fell due during a reload (reloads took ${loads.join(', ')} ms)`);
    assert.deepEqual(missing, [], `slots with no entry (reloads took ${loads.join(', ')} ms)`);
    assert.deepEqual(twice, [], 'a slot with more than one start or skip');
    t.cleanup();
  });

  it('a first start slower than a slot: the slots due while the host started get their runs', async () => {
    const t = tempHome();
    writeSkill(t.home, 'tick', { schedule: '* * * * * *', command: ['true'], timeoutSeconds: 5 });
    // A start-up that took 1.5 s, on the clock seam: the host's first reading of the clock (its
    // start) is 1.5 s before every later one (when it reconciles and arms the trigger).
    let first = true;
    const clock = { now: () => (first ? ((first = false), Date.now() - 1500) : Date.now()), monotonic: () => performance.now() };
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), clock });
    first = true;
    const t0 = Date.now() - 1500;
    await host.start();
    const t1 = Date.now();
    try {
      await waitFor('a slot after the start', () => readLedger(t.home, 'tick').some((e) => Date.parse(String(e.slot)) > t1), 10_000);
    } finally {
      await host.stop();
    }
    const firstDue = Math.ceil((t0 + 1) / 1000) * 1000;
    const slots = new Set(readLedger(t.home, 'tick').filter((e) => e.type !== 'end').map((e) => Date.parse(String(e.slot))));
    const missing: string[] = [];
    for (let s = firstDue; s <= t1; s += 1000) if (!slots.has(s)) missing.push(new Date(s).toISOString());
    assert.ok(t1 >= firstDue, `a slot fell due during the start (${t1 - t0} ms)`);
    assert.deepEqual(missing, [], `slots due during a ${t1 - t0} ms start with no entry`);
    t.cleanup();
  });
});
