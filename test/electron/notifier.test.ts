import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Notifier, type Notice } from '../../main/electron/notifier.ts';
import { dependency, skill, snapshot } from './fixtures.ts';

describe('native notifications', () => {
  function setup(opts?: { perKeyMs?: number; maxPerHour?: number }) {
    const shown: Notice[] = [];
    let now = 0;
    const n = new Notifier((x) => shown.push(x), () => now, opts);
    return { n, shown, advance: (ms: number) => (now += ms) };
  }

  it('tells when a layer fails and when it recovers, not while it is merely restarting', () => {
    const { n, shown, advance } = setup({ perKeyMs: 0 });
    n.update(snapshot());
    n.update(snapshot({ gateway: 'restarting' }));
    assert.equal(shown.length, 0);
    n.update(snapshot({ gateway: 'failed' }));
    advance(1000);
    n.update(snapshot());
    assert.deepEqual(shown.map((s) => s.title), ['Gateway Core is down', 'Gateway Core recovered']);
    assert.match(shown[0]!.body, /Skills keep running/);
  });

  it('tells when a skill fails or goes late, and when it recovers', () => {
    const { n, shown } = setup({ perKeyMs: 0 });
    n.update(snapshot({}, [skill('poster')]));
    n.update(snapshot({}, [skill('poster', { state: 'late', reason: '1 slot past its time' })]));
    n.update(snapshot({}, [skill('poster')]));
    assert.deepEqual(shown.map((s) => s.title), ['poster is late', 'poster recovered']);
  });

  it('rate-limits a flapping layer to one notice per subject per window', () => {
    const { n, shown, advance } = setup({ perKeyMs: 5 * 60_000 });
    n.update(snapshot());
    for (let i = 0; i < 10; i++) {
      n.update(snapshot({ session: 'failed' }));
      advance(10_000);
      n.update(snapshot());
      advance(10_000);
    }
    assert.equal(shown.length, 1);
    assert.equal(n.suppressed, 19);
    advance(5 * 60_000);
    n.update(snapshot({ session: 'failed' }));
    assert.equal(shown.length, 2);
  });

  it('caps all notices per hour', () => {
    const { n, shown } = setup({ perKeyMs: 0, maxPerHour: 3 });
    n.update(snapshot({}, []));
    n.update(snapshot({}, ['a', 'b', 'c', 'd', 'e'].map((x) => skill(x, { state: 'failing' }))));
    assert.equal(shown.length, 3);
  });

  it('a network partition is one notice when it starts and one when it ends with how many skills caught up, not one per deferred slot', () => {
    const { n, shown, advance } = setup();
    const skills = (deferred: boolean) => [skill('poster', deferred ? { state: 'deferred', deferred: ['network'] } : {}), skill('digest', deferred ? { state: 'deferred', deferred: ['network'] } : {}), skill('backup')];
    n.update(snapshot({}, skills(false), { network: dependency('ok', ['poster', 'digest']) }));
    for (let i = 0; i < 30; i++) {
      advance(1000); // a deferred slot every second
      n.update(snapshot({}, skills(true), { network: dependency('down', ['poster', 'digest']) }));
    }
    assert.deepEqual(shown.map((s) => s.title), ['Network partition']);
    assert.match(shown[0]!.body, /waiting: poster, digest; still running: backup/);
    advance(1000);
    n.update(snapshot({}, skills(false), { network: dependency('ok', ['poster', 'digest']) }));
    assert.deepEqual(shown.map((s) => s.title), ['Network partition', 'Network is back']);
    assert.match(shown[1]!.body, /2 skills caught up/);
  });
});
