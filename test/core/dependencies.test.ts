import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { readLedger, readLines, ROOT, tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';
import { assertNoSlotTwice, startsOf, writeConfig } from '../helpers/ledger-checks.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';


function depLog(home: string): { dependency: string; status: string; at: string; reason: string }[] {
  const f = join(home, 'health', 'dependencies.jsonl');
  return existsSync(f) ? readLines(f).map((l) => JSON.parse(l) as never) : [];
}

const starts = startsOf;

describe('dependencies: a real network partition', () => {
  const afterTest = cleanupsPerTest();

  function hostWith(home: string, upstream: Upstream, everySeconds = 1): { host: Host; stop: () => Promise<void> } {
    writeConfig(home, { dependencies: { network: { everySeconds, timeoutMs: 300 } } });
    const host = new Host({
      home, bundledSkillsDir: null, logger: createMemoryLogger(), killGraceMs: 300,
      env: { ...process.env, CLAWKEEPER_NETWORK_PROBE: upstream.url },
    });
    return { host, stop: () => host.stop(true) };
  }

  it('defers the network skill while the upstream is refused and blackholed, keeps the local skill on time, and catches up once each time it is back', async () => {
    const t = tempHome();
    let up = await startUpstream();
    const { host, stop } = hostWith(t.home, up);
    afterTest(async () => {
      await stop();
      await up.kill();
      t.cleanup();
    });
    writeSkill(t.home, 'local', { schedule: '* * * * * *', overlap: 'queue' }, 'ok.mjs');
    writeSkill(t.home, 'poster', { schedule: '* * * * * *', needs: ['network'], catchUp: 'once' }, 'ok.mjs');
    await host.start();
    await waitFor('poster to run twice', () => readLedger(t.home, 'poster').filter((e) => e.type === 'end').length >= 2, 20_000);
    const partitionFrom = Date.now();

    for (const cut of ['refused', 'blackholed'] as const) {
      const downsBefore = depLog(t.home).filter((l) => l.status === 'down').length;
      if (cut === 'refused') await up.kill();
      else up.freeze();
      const down = await waitFor(`network down (${cut})`, () => depLog(t.home).filter((l) => l.status === 'down')[downsBefore], 10_000);
      if (cut === 'refused') assert.match(down.reason, /refused/);
      else assert.match(down.reason, /no answer within 300 ms/);
      assert.equal(host.deferredOn('poster').join(), 'network');
      // Slots due from a second after detection on: none starts while the upstream is away.
      const quietFrom = Date.parse(down.at) + 1000;
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(
        starts(readLedger(t.home, 'poster')).filter((e) => Date.parse(e.slot as string) >= quietFrom).length, 0,
        'no network slot started during the partition',
      );
      const before = starts(readLedger(t.home, 'poster')).length;
      if (cut === 'refused') up = await startUpstream(up.port);
      else up.thaw();
      await waitFor('network back', () => depLog(t.home).filter((l) => l.status === 'ok').length > downsBefore, 10_000);
      await waitFor(
        'the catch-up run',
        () => starts(readLedger(t.home, 'poster')).slice(before).some((e) => e.trigger === 'catch-up'), 10_000,
      );
      await waitFor(
        'the schedule to resume',
        () => starts(readLedger(t.home, 'poster')).slice(before).some((e) => e.trigger === 'schedule'), 10_000,
      );
      const after = starts(readLedger(t.home, 'poster')).slice(before);
      assert.equal(after.filter((e) => e.trigger === 'catch-up').length, 1, 'exactly one catch-up (catchUp=once)');
      // (A slot due while the catch-up itself runs is skipped-overlap: overlap=skip, as usual.)
      const skips = readLedger(t.home, 'poster').filter(
        (e) => e.type === 'skip' && e.reason !== 'skipped-overlap' && Date.parse(e.at as string) >= Date.parse(down.at),
      );
      assert.ok(skips.length >= 1, 'the older deferred slots are recorded');
      for (const s of skips) {
        assert.equal(s.reason, 'dependency-down');
        assert.match(s.detail as string, /network/);
      }
    }
    const partitionTo = Date.now() - 1500;
    // The local skill ran every second, without a gap, through both cuts.
    const localSlots = new Set(starts(readLedger(t.home, 'local')).map((e) => Date.parse(e.slot as string)));
    for (let s = Math.ceil(partitionFrom / 1000) * 1000; s < partitionTo; s += 1000) assert.ok(
      localSlots.has(s), `local slot ${new Date(s).toISOString()} ran`,
    );
    assertNoSlotTwice(readLedger(t.home, 'poster'), 'poster');
    assertNoSlotTwice(readLedger(t.home, 'local'), 'local');
  });

  it('survives a host kill -9 in the middle of a partition and a restart while it lasts: nothing runs twice, nothing is lost, the reasons are right', async () => {
    const t = tempHome();
    let up = await startUpstream();
    const procs: ChildProcess[] = [];
    afterTest(async () => {
      for (const p of procs) p.kill('SIGKILL');
      await up.kill();
      t.cleanup();
    });
    writeConfig(t.home, { dependencies: { network: { everySeconds: 1, timeoutMs: 300 } } });
    writeSkill(t.home, 'local', { schedule: '* * * * * *', overlap: 'queue' }, 'ok.mjs');
    writeSkill(t.home, 'poster', { schedule: '* * * * * *', needs: ['network'], catchUp: 'once' }, 'ok.mjs');
    const start = () => {
      const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless'], {
        env: { ...process.env, CLAWKEEPER_HOME: t.home, CLAWKEEPER_GATEWAY_PORT: '0', CLAWKEEPER_SESSION_PORT: '0',
          CLAWKEEPER_NETWORK_PROBE: up.url },
        stdio: 'ignore',
      });
      procs.push(p);
      return p;
    };
    const first = start();
    await waitFor('poster to run', () => readLedger(t.home, 'poster').some((e) => e.type === 'end'), 20_000);
    await up.kill();
    await waitFor('network down', () => depLog(t.home).some((l) => l.status === 'down'), 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await new Promise((r) => setTimeout(r, 2000));
    start();
    // The new host starts from the logged state (down): the network skill keeps waiting.
    await waitFor(
      'the new host to run local',
      () => starts(readLedger(t.home, 'local')).some((e) => Date.parse(e.started_at as string) > killedAt + 2000),
      20_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(
      starts(readLedger(t.home, 'poster')).filter((e) => Date.parse(e.started_at as string) > killedAt).length, 0,
      'nothing ran for poster while the partition lasts',
    );
    const before = starts(readLedger(t.home, 'poster')).length;
    up = await startUpstream(up.port);
    await waitFor(
      'the catch-up run',
      () => starts(readLedger(t.home, 'poster')).slice(before).some((e) => e.trigger === 'catch-up'), 15_000,
    );
    await waitFor(
      'the schedule to resume',
      () => starts(readLedger(t.home, 'poster')).slice(before).some((e) => e.trigger === 'schedule'), 10_000,
    );
    const ledger = readLedger(t.home, 'poster');
    assert.equal(starts(ledger).slice(before).filter((e) => e.trigger === 'catch-up').length, 1);
    const skips = ledger.filter((e) => e.type === 'skip');
    const restartedAt = killedAt + 2000;
    for (const s of skips) {
      const slot = Date.parse(s.slot as string);
      // Slots while no host ran are missed-while-down; the others waited for the network.
      if (s.reason === 'skipped-overlap') continue; // a slot due while the catch-up ran (overlap=skip)
      if (s.reason === 'missed-while-down') assert.ok(
        slot > killedAt - 2000 && slot < restartedAt + 2000,
        `missed-while-down only for the host's outage (${String(s.slot)})`,
      );
      else assert.equal(s.reason, 'dependency-down', `reason of ${String(s.slot)}`);
    }
    assert.ok(skips.some((s) => s.reason === 'dependency-down'));
    // Every slot from the cut to the catch-up is accounted for: run, or skipped with a reason.
    const last = Math.max(...starts(ledger).slice(before).filter((e) => e.trigger === 'catch-up').map((e) => Date.parse(e.slot as string)));
    const seen = new Set(ledger.filter((e) => e.slot).map((e) => Date.parse(e.slot as string)));
    for (const s of skips) {
      if (s.count) for (let x = Date.parse(s.slot as string); x <= Date.parse(s.last_slot as string); x += 1000) seen.add(x);
    }
    const firstDown = Date.parse(depLog(t.home).find((l) => l.status === 'down')!.at);
    const from = Math.ceil(firstDown / 1000) * 1000 + 1000;
    for (let s = from; s <= last; s += 1000) assert.ok(seen.has(s), `slot ${new Date(s).toISOString()} is in the ledger`);
    assertNoSlotTwice(ledger, 'poster');
    assertNoSlotTwice(readLedger(t.home, 'local'), 'local');
  });

  it('a JS run failing with a network-class error triggers a probe at once, before the next cadence tick, and does not count toward the breaker', async () => {
    const t = tempHome();
    const up = await startUpstream();
    const { host, stop } = hostWith(t.home, up, 60);
    afterTest(async () => {
      await stop();
      await up.kill();
      t.cleanup();
    });
    writeSkill(
      t.home, 'caller',
      { schedule: '* * * * * *', needs: ['network'], env: { UPSTREAM_URL: up.url }, breaker: { failures: 1, coolDownSeconds: 60 } },
      'fetch-upstream.mjs',
    );
    await host.start();
    await waitFor('a successful call', () => readLedger(t.home, 'caller').some((e) => e.type === 'end' && e.outcome === 'success'), 20_000);
    const cutAt = Date.now();
    await up.kill();
    const down = await waitFor('network down', () => depLog(t.home).find((l) => l.status === 'down'), 15_000);
    const failed = readLedger(t.home, 'caller').find((e) => e.type === 'end' && e.outcome === 'failure');
    assert.ok(failed, 'a run failed on the refused connection');
    assert.ok(Date.parse(down.at) - cutAt < 10_000, `seen ${Date.parse(down.at) - cutAt} ms after the cut, long before the 60 s cadence`);
    assert.ok(Date.parse(down.at) >= Date.parse(failed.ended_at as string), 'the probe followed the failed run');
    assert.equal(host.breakerView('caller')?.state, 'closed', 'a network-class failure says nothing about the skill');
  });
});
