// The circuit breaker and dependency deferral: review regressions and bad input (split from
// dependencies.test.ts, which covers a real network partition).
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { readLedger, tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';
import { assertNoSlotTwice, startsOf, writeConfig } from '../helpers/ledger-checks.ts';
import { startUpstream } from '../helpers/upstream.ts';


const starts = startsOf;

describe('the circuit breaker', () => {
  const afterTest = cleanupsPerTest();

  it('trips after 3 failures, skips breaker-open, probes after the cool-down (doubling it on a failed probe), closes on success; a resume by hand closes it at once', async () => {
    const t = tempHome();
    const flag = join(t.home, 'fail-flag');
    writeFileSync(flag, '1');
    writeSkill(
      t.home, 'flaky',
      { schedule: '* * * * * *', env: { FLAG_FILE: flag }, breaker: { failures: 3, coolDownSeconds: 2 } },
      'fail-if-flag.mjs',
    );
    writeSkill(t.home, 'steady', { schedule: '* * * * * *' }, 'ok.mjs');
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), killGraceMs: 300 });
    afterTest(async () => {
      await host.stop(true);
      t.cleanup();
    });
    await host.start();
    await waitFor('the breaker to open', () => host.breakerView('flaky')?.state === 'open', 20_000);
    const ends = () => readLedger(t.home, 'flaky').filter((e) => e.type === 'end');
    assert.equal(ends().filter((e) => e.outcome === 'failure').length, 3, 'tripped after exactly 3 failures');
    await waitFor(
      'a breaker-open skip',
      () => readLedger(t.home, 'flaky').some((e) => e.type === 'skip' && e.reason === 'breaker-open'), 5_000,
    );
    // The first probe fails: open again, cool-down doubled.
    await waitFor('a failed probe', () => ends().some((e) => e.breaker_probe === true && e.outcome === 'failure'), 10_000);
    const saved = JSON.parse(
      readFileSync(join(t.home, 'runs', '_breakers.json'), 'utf8'),
    ) as Record<string, { state: string; coolDownSeconds: number }>;
    assert.equal(saved.flaky!.state, 'open');
    assert.equal(saved.flaky!.coolDownSeconds, 4);
    assert.ok(readLedger(t.home, 'flaky').some((e) => e.type === 'start' && e.breaker_probe === true && e.trigger === 'schedule'));
    rmSync(flag);
    await waitFor('a successful probe', () => ends().some((e) => e.breaker_probe === true && e.outcome === 'success'), 15_000);
    assert.equal(host.breakerView('flaky')?.state, 'closed');
    await waitFor('normal runs again', () => ends().slice(-1)[0]?.breaker_probe === undefined, 5_000);
    // Trip it again, then resume by hand: closed at once.
    writeFileSync(flag, '1');
    await waitFor('the breaker to open again', () => host.breakerView('flaky')?.state === 'open', 20_000);
    assert.equal(host.resume('flaky'), true);
    assert.equal(host.breakerView('flaky')?.state, 'closed');
    // The healthy neighbour never noticed.
    assert.ok(readLedger(t.home, 'steady').filter((e) => e.type === 'end' && e.outcome === 'success').length >= 5);
  });
});

describe('review regressions: deferral and the breaker', () => {
  const afterTest = cleanupsPerTest();

  it('a skill whose own API refuses it while the network is up trips its breaker, and its probes keep coming (never stuck half-open)', async () => {
    const t = tempHome();
    const up = await startUpstream();
    const dead = await startUpstream();
    const deadUrl = dead.url;
    await dead.kill();
    writeConfig(t.home, { dependencies: { network: { everySeconds: 1, timeoutMs: 300 } } });
    writeSkill(
      t.home, 'caller',
      { schedule: '* * * * * *', needs: ['network'], env: { UPSTREAM_URL: deadUrl }, breaker: { failures: 1, coolDownSeconds: 1 } },
      'fetch-upstream.mjs',
    );
    const host = new Host({
      home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), killGraceMs: 300,
      env: { ...process.env, CLAWKEEPER_NETWORK_PROBE: up.url },
    });
    afterTest(async () => {
      await host.stop(true);
      await up.kill();
      t.cleanup();
    });
    await host.start();
    await waitFor('the breaker to open on the refused API', () => host.breakerView('caller')?.state === 'open', 15_000);
    await waitFor(
      'two probe runs',
      () => readLedger(t.home, 'caller').filter((e) => e.type === 'start' && e.breaker_probe === true).length >= 2,
      20_000,
    );
    assert.ok(readLedger(t.home, 'caller').some((e) => e.type === 'skip' && e.reason === 'breaker-open'));
    assert.equal(host.dependencyHealth().network!.status, 'ok', 'the network itself was fine all along');
  });

  it('a skill paused and resumed while it waits for the network loses no slot: every one is run or recorded', async () => {
    const t = tempHome();
    let up = await startUpstream();
    writeConfig(t.home, { dependencies: { network: { everySeconds: 1, timeoutMs: 300 } } });
    writeSkill(t.home, 'poster', { schedule: '* * * * * *', needs: ['network'], catchUp: 'once' }, 'ok.mjs');
    const host = new Host({
      home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), killGraceMs: 300,
      env: { ...process.env, CLAWKEEPER_NETWORK_PROBE: up.url },
    });
    afterTest(async () => {
      await host.stop(true);
      await up.kill();
      t.cleanup();
    });
    await host.start();
    await waitFor('poster to run', () => readLedger(t.home, 'poster').some((e) => e.type === 'end'), 15_000);
    await up.kill();
    await waitFor('poster deferred', () => host.deferredOn('poster').length > 0, 10_000);
    const cut = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    host.pause('poster');
    await new Promise((r) => setTimeout(r, 2000));
    host.resume('poster');
    await new Promise((r) => setTimeout(r, 1500));
    const before = starts(readLedger(t.home, 'poster')).length;
    up = await startUpstream(up.port);
    await waitFor('the catch-up', () => starts(readLedger(t.home, 'poster')).slice(before).some((e) => e.trigger === 'catch-up'), 15_000);
    const ledger = readLedger(t.home, 'poster');
    const last = Math.max(...starts(ledger).slice(before).map((e) => Date.parse(e.slot as string)));
    const seen = new Set(ledger.filter((e) => e.slot).map((e) => Date.parse(e.slot as string)));
    for (let x = Math.ceil(cut / 1000) * 1000; x <= last; x += 1000) assert.ok(
      seen.has(x), `slot ${new Date(x).toISOString()} is in the ledger`,
    );
    assert.ok(ledger.some((e) => e.type === 'skip' && e.reason === 'paused'));
    assert.ok(ledger.some((e) => e.type === 'skip' && e.reason === 'dependency-down'));
    assertNoSlotTwice(ledger, 'poster');
  });
});

describe('review regressions, round two', () => {
  const afterTest = cleanupsPerTest();

  it('a slot that waited for the network is not lost when the host stops before the network is back, even with later slots recorded (pause)', async () => {
    const t = tempHome();
    let up = await startUpstream();
    writeConfig(t.home, { dependencies: { network: { everySeconds: 1, timeoutMs: 300 } } });
    writeSkill(t.home, 'poster', { schedule: '* * * * * *', needs: ['network'], catchUp: 'once' }, 'ok.mjs');
    const make = () => new Host({
      home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), killGraceMs: 300,
      env: { ...process.env, CLAWKEEPER_NETWORK_PROBE: up.url },
    });
    let host = make();
    afterTest(async () => {
      await host.stop(true);
      await up.kill();
      t.cleanup();
    });
    await host.start();
    await waitFor('poster to run', () => readLedger(t.home, 'poster').some((e) => e.type === 'end'), 15_000);
    await up.kill();
    await waitFor('poster deferred', () => host.deferredOn('poster').length > 0, 10_000);
    const cut = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    host.pause('poster');
    await new Promise((r) => setTimeout(r, 1500));
    host.resume('poster');
    await host.stop();
    up = await startUpstream(up.port);
    host = make();
    const before = starts(readLedger(t.home, 'poster')).length;
    await host.start();
    await waitFor('the catch-up', () => starts(readLedger(t.home, 'poster')).slice(before).some((e) => e.trigger === 'catch-up'), 15_000);
    const ledger = readLedger(t.home, 'poster');
    const last = Math.max(...starts(ledger).slice(before).map((e) => Date.parse(e.slot as string)));
    const seen = new Set(ledger.filter((e) => e.slot).map((e) => Date.parse(e.slot as string)));
    for (let x = Math.ceil(cut / 1000) * 1000; x <= last; x += 1000) assert.ok(
      seen.has(x), `slot ${new Date(x).toISOString()} is in the ledger`,
    );
    assertNoSlotTwice(ledger, 'poster');
  });
});

describe('dependencies: bad input is a clear error or a down state, and other skills keep running', () => {
  const afterTest = cleanupsPerTest();

  it('unknown need, bad probe URL, a probe answering 500, a probe that hangs, a breaker with negative numbers', async () => {
    const t = tempHome();
    const five = await startUpstream(0, { STATUS: '500' });
    const hang = await startUpstream(0, { HANG: '1' });
    writeConfig(t.home, {
      dependencies: {
        ftp: { probe: 'ftp://example.invalid/' },
        broken: { probe: 'not a url' },
        flaky: { probe: five.url, everySeconds: 1, timeoutMs: 300 },
        stuck: { probe: hang.url, everySeconds: 1, timeoutMs: 300 },
      },
    });
    writeSkill(t.home, 'needs-nas', { schedule: '* * * * * *', needs: ['nas'] }, 'ok.mjs');
    writeSkill(t.home, 'uses-ftp', { schedule: '* * * * * *', needs: ['ftp', 'broken'] }, 'ok.mjs');
    writeSkill(t.home, 'uses-flaky', { schedule: '* * * * * *', needs: ['flaky'] }, 'ok.mjs');
    writeSkill(t.home, 'uses-stuck', { schedule: '* * * * * *', needs: ['stuck'] }, 'ok.mjs');
    writeSkill(t.home, 'negative', { schedule: '* * * * * *', breaker: { failures: -1, coolDownSeconds: -5 } }, 'ok.mjs');
    writeSkill(t.home, 'local', { schedule: '* * * * * *' }, 'ok.mjs');
    const host = new Host({
      home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), killGraceMs: 300,
      env: { ...process.env, CLAWKEEPER_NETWORK_PROBE: five.url },
    });
    afterTest(async () => {
      await host.stop(true);
      await five.kill();
      await hang.kill();
      t.cleanup();
    });
    await host.start();
    const byName = new Map(host.listSkills().map((s) => [s.name, s]));
    assert.equal(byName.get('needs-nas')!.manifest, null);
    assert.deepEqual(byName.get('needs-nas')!.problems.map((p) => p.field), ['needs']);
    assert.match(
      byName.get('needs-nas')!.problems[0]!.message,
      /unknown dependency "nas": define it in .*config\.json under "dependencies"/,
    );
    assert.equal(byName.get('negative')!.manifest, null);
    assert.ok(
      byName.get('negative')!.problems.some((p) => p.field === 'breaker' || p.field.startsWith('breaker.')),
      JSON.stringify(byName.get('negative')!.problems),
    );
    await waitFor('every broken dependency down', () => {
      const d = host.dependencyHealth();
      return d.ftp?.status === 'down' && d.broken?.status === 'down' && d.flaky?.status === 'down' && d.stuck?.status === 'down' ? d : null;
    }, 10_000);
    const d = host.dependencyHealth();
    assert.match(d.ftp!.reason, /config\.json: dependencies\.ftp: .*http:\/\/, https:\/\/ or tcp:\/\//);
    assert.match(d.broken!.reason, /is not a URL/);
    assert.match(d.flaky!.reason, /answered 500/);
    assert.match(d.stuck!.reason, /no answer within 300 ms/);
    await waitFor(
      'local to keep running',
      () => readLedger(t.home, 'local').filter((e) => e.type === 'end' && e.outcome === 'success').length >= 3, 15_000,
    );
    for (const name of ['uses-ftp', 'uses-flaky', 'uses-stuck']) assert.equal(
      starts(readLedger(t.home, name)).filter((e) => e.trigger === 'schedule' && Date.parse(e.slot as string) > Date.now() - 2000).length,
      0, `${name} waits`,
    );
    // A manual run is refused while a need is down, unless forced.
    const refused = host.runNow('uses-flaky');
    assert.ok(refused && 'refused' in refused);
    assert.equal(refused.refused.code, 'dependency-down');
    assert.match(refused.refused.message, /uses-flaky needs flaky, which is down; run it anyway with --force/);
    const forced = host.runNow('uses-flaky', { force: true });
    assert.ok(forced && !('refused' in forced) && forced.runId);
  });
});
