import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseStatusLine } from '../../main/common/status-line.ts';
import { computeMetrics } from '../../main/core/health/metrics.ts';
import type { LayerTransition } from '../../main/core/health/status-report.ts';
import { readLedger, readLines, waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite, snapshotOf } from '../helpers/host-process.ts';

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 60);
const SKILLS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];

describe(`chaos: ${SKILLS.length} skills every second for ${SECONDS} s while the layers are killed and hung`, () => {
  const h = hostForSuite((home) => {
    for (const s of SKILLS) writeSkill(home, s, { schedule: '* * * * * *', timeoutSeconds: 20 }, 'ok.mjs');
  });

  it('every slot runs exactly once and succeeds; ledger, status files and session history all parse; recovery is measured', async () => {
    const started = Date.now();
    const actions: string[] = [];
    let stops = 0;
    // A seeded generator: the same chaos every run, so a failure can be replayed.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    while (Date.now() - started < SECONDS * 1000) {
      await new Promise((r) => setTimeout(r, 2000 + rand() * 3000));
      let pids: { gateway: number; session: number };
      try {
        pids = (await snapshotOf(h)).host.layerPids;
      } catch {
        continue; // the gateway is down right now: the next round finds it back
      }
      const layer = rand() < 0.5 ? 'gateway' : 'session';
      const pid = pids[layer];
      if (!pid) continue;
      const hang = rand() < 0.25;
      try {
        process.kill(pid, hang ? 'SIGSTOP' : 'SIGKILL');
        actions.push(`${hang ? 'SIGSTOP' : 'SIGKILL'} ${layer}`);
        if (hang) stops++;
      } catch {
        // already gone
      }
    }
    const recovered = await waitFor('both layers back after the last fault', async () => {
      try {
        const l = (await snapshotOf(h)).layers;
        return l.gateway!.status === 'ok' && l.session!.status === 'ok';
      } catch {
        return false;
      }
    }, 20_000, 100);
    assert.ok(recovered);
    await h.stop();
    const end = Date.now();

    let slotsChecked = 0;
    for (const s of SKILLS) {
      const entries = readLedger(h.home, s);
      const starts = entries.filter((e) => e.type === 'start');
      const ends = new Map(entries.filter((e) => e.type === 'end').map((e) => [e.run_id as string, e]));
      const skips = entries.filter((e) => e.type === 'skip');
      assert.deepEqual(skips.map((e) => `${String(e.slot)} ${String(e.reason)}`), [], `${s}: no slot skipped`);
      const slots = starts.map((e) => Date.parse(e.slot as string)).sort((a, b) => a - b);
      assert.equal(new Set(slots).size, slots.length, `${s}: a slot ran twice`);
      assert.equal((slots[slots.length - 1]! - slots[0]!) / 1000 + 1, slots.length, `${s}: a slot is missing`);
      for (const st of starts) assert.equal(
        ends.get(st.run_id as string)?.outcome, 'success', `${s} run ${String(st.run_id)} at ${String(st.slot)}`,
      );
      assert.ok(slots.length >= SECONDS - 5, `${s}: ${slots.length} runs in ${SECONDS} s`);
      assert.ok(parseStatusLine(readFileSync(join(h.home, 'skills', 'status', `${s}.txt`), 'utf8')), `${s}: status file parses`);
      slotsChecked += slots.length;
    }
    for (const l of readLines(join(h.home, 'sessions', 'clawkeeper.jsonl'))) JSON.parse(l);
    const transitions = readLines(join(h.home, 'health', 'layers.jsonl')).map((l) => JSON.parse(l) as LayerTransition);
    const m = computeMetrics(transitions, [], started, end, { session: 0, gateway: 0 });
    const kills = actions.length;
    console.log(`chaos: ${kills} faults (${stops} hangs) over ${SECONDS} s; ${slotsChecked} slots, all exactly once and successful`);
    console.log(
      `chaos: recovery gateway n=${m.recovery.gateway.count} mean=${Math.round(
        m.recovery.gateway.meanMs ?? 0,
      )} ms p95=${Math.round(m.recovery.gateway.p95Ms ?? 0)} ms; session n=${m.recovery.session.count} mean=${Math.round(
        m.recovery.session.meanMs ?? 0,
      )} ms p95=${Math.round(m.recovery.session.p95Ms ?? 0)} ms`,
    );
    assert.ok(kills >= Math.floor(SECONDS / 5) - 1, `${kills} faults injected`);
    // A fault can land on a layer still coming back from the previous one: count outages, not kills.
    const outages = m.gatewayConnectionIssues + m.sessionConnectionIssues;
    assert.ok(outages >= Math.min(kills, 3), `${outages} outages from ${kills} faults`);
    assert.equal(m.recovery.gateway.count + m.recovery.session.count, outages, 'every outage ended in a recovery');
  });
});
