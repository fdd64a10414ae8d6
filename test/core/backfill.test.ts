import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planBackfill, type LedgerView } from '../../main/core/scheduling/backfill-plan.ts';
import { runCli } from '../helpers/cli.ts';
import { readLedger, tempHomePerTest, writeSkill } from '../helpers/home.ts';
import { hostForSuite, http } from '../helpers/host-process.ts';

const T = (iso: string) => Date.parse(iso);
const NOW = T('2026-03-01T12:00:00Z');
const ledgerOf = (started: Record<string, string>, skipped: Record<string, string> = {}): LedgerView => ({
  started: (s) => (s in started ? started[s]! : s in skipped ? null : undefined),
  skipReason: (s) => skipped[s],
});

describe('backfill plan (a pure function of the schedule, the ledger and the range)', () => {
  it('takes the range with both ends, runs slots never recorded or only skipped, never one that started, oldest first', () => {
    const plan = planBackfill({ every: '1h' }, ledgerOf({ '2026-03-01T01:00:00.000Z': 'failure' }, {
      '2026-03-01T02:00:00.000Z': 'missed-while-down',
    }), {
      from: T('2026-03-01T00:00:00Z'), to: T('2026-03-01T03:00:00Z'), now: NOW,
    });
    assert.ok(!('error' in plan));
    assert.deepEqual(plan.slots.map((s) => [s.slot.slice(11, 16), s.run, s.why]), [
      ['00:00', true, 'never recorded'],
      ['01:00', false, 'started before (failure): a slot with a start entry never runs again'],
      ['02:00', true, 'recorded as not run (missed-while-down)'],
      ['03:00', true, 'never recorded'],
    ]);
    assert.deepEqual(plan.toRun, ['2026-03-01T00:00:00.000Z', '2026-03-01T02:00:00.000Z', '2026-03-01T03:00:00.000Z']);
  });

  it('leaves slots not due yet to the schedule', () => {
    const plan = planBackfill({ schedule: '0 * * * *' }, ledgerOf({}), {
      from: T('2026-03-01T11:00:00Z'), to: T('2026-03-01T13:00:00Z'), now: NOW,
    });
    assert.ok(!('error' in plan));
    assert.deepEqual(plan.slots.map((s) => [s.slot.slice(11, 16), s.run]), [['11:00', true], ['12:00', true], ['13:00', false]]);
    assert.match(plan.slots[2]!.why, /not due yet/);
  });

  it('needs --max for more than 100 runs, and --max runs the oldest N', () => {
    const o = { from: T('2026-02-01T00:00:00Z'), to: T('2026-02-10T00:00:00Z'), now: NOW };
    const refused = planBackfill({ every: '1h' }, ledgerOf({}), o);
    assert.ok('error' in refused && /217 slots would run \(more than 100\); give --max N/.test(refused.error), JSON.stringify(refused));
    const capped = planBackfill({ every: '1h' }, ledgerOf({}), { ...o, max: 150 });
    assert.ok(!('error' in capped));
    assert.equal(capped.toRun.length, 150);
    assert.equal(capped.toRun[0], '2026-02-01T00:00:00.000Z');
    assert.match(capped.slots[200]!.why, /over --max 150/);
  });

  it('refuses a range of more than 10,000 slots quickly, whatever the kind', () => {
    for (const m of [{ every: '1s' }, { schedule: '* * * * * *' }]) {
      const t0 = performance.now();
      const r = planBackfill(m, ledgerOf({}), { from: T('2026-01-01T00:00:00Z'), to: T('2026-02-01T00:00:00Z'), now: NOW, max: 1000 });
      assert.ok('error' in r && /more than 10000 slots; narrow --from and --to/.test(r.error), JSON.stringify(r));
      assert.ok(performance.now() - t0 < 2000, `${JSON.stringify(m)}: ${Math.round(performance.now() - t0)} ms`);
    }
  });

  it('explains a bad range', () => {
    for (const [o, re] of [[{ from: NaN, to: NOW }, /ISO times/], [{ from: NOW, to: NOW - 1 }, /is after --to/], [
      { from: NOW - 1, to: NOW, max: 0 }, /--max must be/,
    ]] as const) {
      const r = planBackfill({ every: '1h' }, ledgerOf({}), { now: NOW, ...o });
      assert.ok('error' in r && re.test(r.error), JSON.stringify(r));
    }
  });
});

/** A start and an end for a slot, and a skip for another, as a host would have written them. */
function seedLedger(home: string, skill: string): void {
  mkdirSync(join(home, 'runs'), { recursive: true });
  const f = join(home, 'runs', `${skill}.jsonl`);
  const base = {
    skill, slot: '2026-01-01T01:00:00.000Z', trigger: 'schedule', attempt: 1, started_at: '2026-01-01T01:00:00.010Z',
    run_id: 'r-old',
  };
  appendFileSync(f, JSON.stringify({ ...base, type: 'start', host_pid: 1 }) + '\n');
  appendFileSync(
    f,
    JSON.stringify({
      ...base, type: 'end', ended_at: '2026-01-01T01:00:01Z', duration_ms: 990, outcome: 'success', exit_code: 0,
      signal: null,
    }) + '\n',
  );
  appendFileSync(
    f,
    JSON.stringify({
      type: 'skip', skill, slot: '2026-01-01T02:00:00.000Z', reason: 'missed-while-down', at: '2026-01-01T05:00:00Z',
    }) + '\n',
  );
}

describe('clawkeeper backfill with no host running', () => {
  const newHome = tempHomePerTest();

  it('--dry-run lists each slot and why, runs nothing; then runs the rest oldest first, and a second backfill runs nothing', async () => {
    const t = newHome();
    writeSkill(t.home, 'hourly', { every: '1h' }, 'ok.mjs');
    seedLedger(t.home, 'hourly');
    const args = ['backfill', 'hourly', '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-01T03:00:00Z'];
    const dry = await runCli(t.home, [...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /2026-01-01T00:00:00\.000Z {2}would run: never recorded/);
    assert.match(dry.out, /2026-01-01T01:00:00\.000Z {2}skipped: started before \(success\)/);
    assert.match(dry.out, /2026-01-01T02:00:00\.000Z {2}would run: recorded as not run \(missed-while-down\)/);
    assert.match(dry.out, /4 slots in the range, 3 would run/);
    assert.equal(readLedger(t.home, 'hourly').filter((e) => e.type === 'start').length, 1, 'nothing ran');

    const real = await runCli(t.home, args);
    assert.equal(real.code, 0, real.out + real.err);
    const starts = readLedger(t.home, 'hourly').filter((e) => e.type === 'start' && e.trigger === 'backfill');
    assert.deepEqual(starts.map((e) => e.slot), ['2026-01-01T00:00:00.000Z', '2026-01-01T02:00:00.000Z', '2026-01-01T03:00:00.000Z']);
    assert.ok(
      readLedger(t.home, 'hourly').filter((e) => e.type === 'end' && e.trigger === 'backfill').every((e) => e.outcome === 'success'),
    );

    const again = await runCli(t.home, args);
    assert.equal(again.code, 0);
    assert.match(again.out, /4 slots in the range, 0 run/);
    assert.equal(readLedger(t.home, 'hourly').filter((e) => e.type === 'start').length, 4, 'a second identical backfill runs nothing');
  });

  it('refuses more than 100 slots without --max, naming it', async () => {
    const t = newHome();
    writeSkill(t.home, 'often', { every: '1m' }, 'ok.mjs');
    const r = await runCli(t.home, ['backfill', 'often', '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-01T02:00:00Z']);
    assert.equal(r.code, 64);
    assert.match(r.err, /121 slots would run \(more than 100\); give --max N/);
    assert.equal(readLedger(t.home, 'often').length, 0);
  });
});

describe('backfill through a running host: host.sock and the API', () => {
  const h = hostForSuite((home) => writeSkill(home, 'yearly', { schedule: '0 0 1 1 *', overlap: 'skip' }, 'ok.mjs'));

  it('POST /api/skills/:name/backfill plans (200 with dryRun) and runs (202), as the CLI over host.sock does', async () => {
    const auth = { authorization: `Bearer ${h.token()}`, 'content-type': 'application/json' };
    const body = (o: object) => JSON.stringify({ from: '2020-01-01T00:00:00Z', to: '2023-01-01T00:00:00Z', ...o });
    const plan = await http(h.gatewayPort, 'POST', '/api/skills/yearly/backfill', { headers: auth, body: body({ dryRun: true }) });
    assert.equal(plan.status, 200, plan.body);
    assert.deepEqual((plan.json() as { toRun: string[] }).toRun, [
      '2020-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z', '2022-01-01T00:00:00.000Z', '2023-01-01T00:00:00.000Z',
    ]);
    const bad = await http(h.gatewayPort, 'POST', '/api/skills/yearly/backfill', { headers: auth, body: JSON.stringify({ from: 'x' }) });
    assert.equal(bad.status, 400, bad.body);
    const ran = await http(h.gatewayPort, 'POST', '/api/skills/yearly/backfill', {
      headers: auth, body: body({ to: '2021-06-01T00:00:00Z' }),
    });
    assert.equal(ran.status, 202, ran.body);
    const cli = await runCli(h.home, ['backfill', 'yearly', '--from', '2020-01-01T00:00:00Z', '--to', '2023-01-01T00:00:00Z'], {
      CLAWKEEPER_GATEWAY_PORT: String(h.gatewayPort), CLAWKEEPER_SESSION_PORT: String(h.sessionPort),
    });
    assert.equal(cli.code, 0, cli.err);
    assert.match(cli.out, /2020-01-01T00:00:00\.000Z {2}(skipped: started before|runs: )/);
    assert.match(cli.out, /run by the host, oldest first/);
    const deadline = Date.now() + 20_000;
    const ends = () => readLedger(h.home, 'yearly').filter((e) => e.type === 'end').length;
    while (ends() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const starts = readLedger(h.home, 'yearly').filter((e) => e.type === 'start');
    assert.deepEqual(
      starts.map((e) => [e.slot, e.trigger]),
      ['2020', '2021', '2022', '2023'].map((y) => [`${y}-01-01T00:00:00.000Z`, 'backfill']),
      'each slot once, oldest first',
    );
  });
});
