// The setup helpers undo what they set up, in the order the docs say (docs/design.md, "Tests and
// benchmarks"): each block below leaves something behind in one test and looks for it in the next.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { tempHomeForSuite, tempHomePerTest, writeSkill } from './home.ts';
import { exited, headlessHostsPerTest, hostForSuite } from './host-process.ts';
import { modelHomePerTest } from './model-home.ts';
import { cleanupsPerTest } from './per-test.ts';
import { alive } from './pids.ts';

/** Whether anything answers HTTP on the port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/models', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

describe('cleanupsPerTest', () => {
  const done: string[] = [];
  const afterTest = cleanupsPerTest();

  it('holds what a test hands it until the test ends', () => {
    afterTest(() => done.push('first'));
    afterTest(() => done.push('second'));
    assert.deepEqual(done, []);
  });

  it('ran both after that test, the last handed first', () => {
    assert.deepEqual(done, ['second', 'first']);
  });
});

describe('tempHomePerTest and modelHomePerTest', () => {
  const newHome = tempHomePerTest();
  const modelHome = modelHomePerTest();
  let homes: string[] = [];
  let port = 0;

  it('make homes, and a model server that answers', async () => {
    const m = await modelHome();
    homes = [newHome().home, newHome().home, m.home];
    port = m.server.port;
    assert.ok(homes.every((h) => existsSync(h)));
    assert.equal(await answers(port), true);
  });

  it('removed every home and closed the server after the test that made them', async () => {
    assert.deepEqual(homes.filter((h) => existsSync(h)), []);
    assert.equal(await answers(port), false);
  });
});

describe('hostForSuite and tempHomeForSuite', () => {
  let hostHome = '';
  let hostPid = 0;
  let suiteHome = '';

  describe('a block with a host', () => {
    const h = hostForSuite((home) => writeSkill(home, 'yearly', { schedule: '0 0 1 1 *' }, 'ok.mjs'));
    const t = tempHomeForSuite();
    assert.throws(() => h.gatewayPort, /hostForSuite: the host starts in before\(\); read \.gatewayPort inside a hook or a test/);

    it('has a running host over a home with the skill prepare wrote, and a home of its own', () => {
      hostHome = h.home;
      hostPid = h.proc.pid!;
      suiteHome = t.home;
      assert.ok(existsSync(`${h.home}/skills/yearly/skill.json`));
      assert.equal(alive(hostPid), true);
      assert.ok(existsSync(suiteHome));
    });
  });

  it('stopped the host and removed both homes once the block was done', () => {
    assert.equal(alive(hostPid), false);
    assert.equal(existsSync(hostHome), false);
    assert.equal(existsSync(suiteHome), false);
  });
});

describe('headlessHostsPerTest', () => {
  const startHost = headlessHostsPerTest('ignore');
  const newHome = tempHomePerTest();
  let child: ReturnType<typeof startHost> | null = null;

  it('spawns a host that runs until the test ends', () => {
    child = startHost(newHome().home);
    assert.equal(child.exitCode, null);
  });

  it('killed it (SIGKILL) after that test', async () => {
    await exited(child!);
    assert.equal(child!.signalCode, 'SIGKILL');
  });
});
