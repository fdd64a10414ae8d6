import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseStatusLine } from '../../main/common/status-line.ts';
import { readLedger, tempHomePerTest, waitFor, writeSkill } from '../helpers/home.ts';
import { exited, headlessHostsPerTest } from '../helpers/host-process.ts';

describe('kill -9 of the host in the middle of a run', () => {
  const startHostProcess = headlessHostsPerTest();
  const newHome = tempHomePerTest();

  it('records the run interrupted on restart, keeps the status file parseable, applies the policy, and never runs a slot twice', async () => {
    const t = newHome();
    // Each run takes 2.5 s on a 1-second schedule: the host is always mid-run when killed.
    writeSkill(t.home, 'slow', { schedule: '* * * * * *', overlap: 'skip', catchUp: 'once', env: { SLEEP_MS: '2500' } }, 'ok.mjs');
    writeSkill(t.home, 'quick', { schedule: '* * * * * *', catchUp: 'all' }, 'ok.mjs');

    const first = startHostProcess(t.home);
    await waitFor('the first run of slow to start', () => readLedger(t.home, 'slow').some((e) => e.type === 'start'), 20_000, 20);
    await waitFor('quick to have run', () => readLedger(t.home, 'quick').some((e) => e.type === 'end'), 20_000, 20);
    first.kill('SIGKILL');
    await exited(first);
    const cutOff = readLedger(t.home, 'slow').find((e) => e.type === 'start')!;
    assert.ok(!readLedger(t.home, 'slow').some((e) => e.type === 'end' && e.run_id === cutOff.run_id), 'the run was cut off');

    await new Promise((r) => setTimeout(r, 2500)); // down for a few slots
    const second = startHostProcess(t.home);
    await waitFor(
      'the cut-off run recorded interrupted',
      () => readLedger(t.home, 'slow').some((e) => e.type === 'end' && e.run_id === cutOff.run_id && e.outcome === 'interrupted'),
      20_000, 20,
    );
    await waitFor(
      'a successful slow run after the restart',
      () => readLedger(t.home, 'slow').some((e) => e.type === 'end' && e.outcome === 'success'), 20_000, 50,
    );
    second.kill('SIGTERM'); // clean stop: the in-flight run finishes within its deadline
    await exited(second);

    for (const skill of ['slow', 'quick']) {
      const entries = readLedger(t.home, skill);
      const starts = entries.filter((e) => e.type === 'start');
      const ends = entries.filter((e) => e.type === 'end');
      assert.equal(ends.length, starts.length, `${skill}: every start has an end after a clean stop`);
      // Every slot appears once as a start or a skip, never twice.
      const slotKeys = entries.filter((e) => e.type !== 'end').map((e) => e.slot as string);
      assert.equal(new Set(slotKeys).size, slotKeys.length, `${skill}: a slot was used twice: ${slotKeys.join(' ')}`);
      // No gap: every second between the first and last recorded slot is accounted for.
      const times = slotKeys.map((s) => Date.parse(s)).sort((a, b) => a - b);
      const counted = entries.filter((e) => e.type === 'skip').reduce(
        (n, e) => n + ((e.count as number | undefined) ?? 1), 0,
      ) + starts.length;
      assert.equal(counted, (times[times.length - 1]! - times[0]!) / 1000 + 1, `${skill}: every slot is either run or recorded`);
      const status = parseStatusLine(readFileSync(join(t.home, 'skills', 'status', `${skill}.txt`), 'utf8'));
      assert.ok(status && ['success', 'interrupted'].includes(status.status!), `${skill} status file parses`);
    }
    const slow = readLedger(t.home, 'slow');
    const interrupted = slow.find((e) => e.type === 'end' && e.outcome === 'interrupted')!;
    assert.match(String(interrupted.error), /stopped during this run/);
    assert.ok(slow.some((e) => e.type === 'skip' && /missed/.test(String(e.reason))), 'slots missed while down are recorded');
    const catchUps = slow.filter((e) => e.type === 'start' && e.trigger === 'catch-up').length;
    assert.ok(catchUps <= 1, `catchUp=once ran ${catchUps} catch-up runs`);
    assert.ok(readLedger(t.home, 'quick').some((e) => e.type === 'start' && e.trigger === 'catch-up'), 'catchUp=all caught quick up');
  });
});
