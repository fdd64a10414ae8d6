import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jitterMs } from '../../main/core/scheduling/slots.ts';
import { runCli } from '../helpers/cli.ts';
import { readLedger, tempHomePerTest, waitFor, writeSkill } from '../helpers/home.ts';
import { exited, headlessHostsPerTest } from '../helpers/host-process.ts';

/** Slots used by a start or a skip (a skip may stand for `count` of them). */
function slotUse(entries: Record<string, unknown>[]): { keys: string[]; counted: number } {
  const used = entries.filter((e) => e.type !== 'end');
  return { keys: used.map((e) => e.slot as string), counted: used.reduce((n, e) => n + ((e.count as number | undefined) ?? 1), 0) };
}

describe('every, at and jitter across a kill -9 of the host (real host processes)', () => {
  const startHostProcess = headlessHostsPerTest('ignore');
  const newHome = tempHomePerTest();

  it('runs each slot of each kind at most once, accounts for every interval slot, and runs the one-shot once ever', async () => {
    const t = newHome();
    const at = new Date(Math.ceil((Date.now() + 5000) / 1000) * 1000).toISOString();
    // Each run outlasts its interval, so the host is mid-run when it is killed.
    writeSkill(t.home, 'tick', { every: '1s', overlap: 'skip', catchUp: 'all', env: { SLEEP_MS: '1500' } }, 'ok.mjs');
    writeSkill(t.home, 'jit', { every: '2s', jitterSeconds: 1.5, overlap: 'skip', catchUp: 'all' }, 'ok.mjs');
    writeSkill(t.home, 'once', { at, catchUp: 'once', env: { SLEEP_MS: '4000' } }, 'ok.mjs');

    const first = startHostProcess(t.home);
    await waitFor('the one-shot to start', () => readLedger(t.home, 'once').some((e) => e.type === 'start'), 30_000, 20);
    await waitFor(
      'tick and jit to have run',
      () => readLedger(t.home, 'tick').some((e) => e.type === 'end') && readLedger(t.home, 'jit').some((e) => e.type === 'end'),
      20_000, 20,
    );
    first.kill('SIGKILL');
    await exited(first);
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 2500)); // down for a few slots

    const second = startHostProcess(t.home);
    await waitFor(
      'the one-shot recorded interrupted',
      () => readLedger(t.home, 'once').some((e) => e.type === 'end' && e.outcome === 'interrupted'), 20_000, 20,
    );
    await waitFor(
      'tick and jit running again after the restart',
      () => ['tick', 'jit'].every(
        (s) => readLedger(t.home, s).some(
          (e) => e.type === 'end' && e.outcome === 'success' && Date.parse(e.started_at as string) > killedAt + 2500,
        ),
      ),
      30_000, 50,
    );
    await new Promise((r) => setTimeout(r, 2500)); // a few more slots after the restart
    second.kill('SIGTERM');
    await exited(second);

    for (const skill of ['tick', 'jit', 'once']) {
      const { keys } = slotUse(readLedger(t.home, skill));
      assert.equal(new Set(keys).size, keys.length, `${skill}: a slot was used twice: ${keys.join(' ')}`);
    }
    for (const [skill, every] of [['tick', 1000], ['jit', 2000]] as const) {
      const entries = readLedger(t.home, skill);
      const { keys, counted } = slotUse(entries);
      const times = keys.map(Date.parse).sort((a, b) => a - b);
      assert.ok(times.every((x) => x % every === 0), `${skill}: slots on the epoch grid`);
      assert.equal(counted, (times[times.length - 1]! - times[0]!) / every + 1, `${skill}: every slot is either run or recorded`);
      assert.ok(entries.some((e) => e.type === 'skip' || e.trigger === 'catch-up'), `${skill}: the slots missed while down were handled`);
    }
    // Jitter: the ledger keeps the nominal slot; a scheduled start waits for its fixed delay.
    for (const e of readLedger(t.home, 'jit').filter((x) => x.type === 'start' && x.trigger === 'schedule')) {
      const slot = Date.parse(e.slot as string);
      assert.ok(
        Date.parse(e.started_at as string) >= slot + jitterMs('jit', slot, 1.5) - 5,
        `started ${String(e.started_at)} before slot ${String(e.slot)} + its delay`,
      );
    }
    const once = readLedger(t.home, 'once');
    assert.deepEqual(
      once.filter((e) => e.type === 'start').map((e) => e.slot), [new Date(at).toISOString()],
      'the one-shot started once, ever',
    );
    const status = await runCli(t.home, ['status', '--json']);
    const view = (JSON.parse(status.out) as {
      skills: { name: string; state: string; nextRun: string | null }[];
    }).skills.find((s) => s.name === 'once')!;
    assert.deepEqual([view.state, view.nextRun], ['done', null]);
  });
});
