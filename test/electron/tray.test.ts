import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initializeTray } from '../../main/electron/tray.ts';
import { trayMenu, trayView, type TrayItem } from '../../main/electron/tray-model.ts';
import { skill, snapshot } from './fixtures.ts';

const labels = (items: TrayItem[]) => items.map((i) => i.label ?? `(${i.type})`);

describe('tray icon and menu, for every mode', () => {
  it('operational: the template icon, no title, a tooltip that says so', () => {
    const v = trayView(snapshot());
    assert.deepEqual(v, { icon: 'operational', template: true, title: '', tooltip: 'ClawKeeper: All systems operational, 2 skills' });
  });

  it('degraded (gateway down): the colored icon, "Degraded" in the menu bar, the scenario in the tooltip', () => {
    const v = trayView(snapshot({ gateway: 'failed' }));
    assert.equal(v.icon, 'degraded');
    assert.equal(v.template, false);
    assert.equal(v.title, 'Degraded');
    assert.match(v.tooltip, /Gateway down — skills are still running/);
  });

  it('down (the runtime not running): the red icon and "Skills down"', () => {
    const v = trayView(snapshot({ runtime: 'failed' }, [skill('a'), skill('b')]));
    assert.equal(v.icon, 'down');
    assert.equal(v.title, 'Skills down');
  });

  it('one failing skill among healthy ones is amber (degraded) and named, never red', () => {
    const v = trayView(snapshot({}, [skill('backup', { state: 'failing' }), skill('b'), skill('c'), skill('d')]));
    assert.equal(v.icon, 'degraded');
    assert.equal(v.title, 'Degraded');
    assert.match(v.tooltip, /1 skill failing: backup/);
  });

  it('starting (no snapshot yet): not green', () => {
    assert.equal(trayView(null).icon, 'degraded');
    assert.deepEqual(labels(trayMenu(null, { loginItem: 'disabled' })).slice(0, 1), ['Starting…']);
  });

  it('the menu has a status line per layer, skills with their last outcome and run now, pause all, dashboard, login item, quit', () => {
    const m = trayMenu(snapshot({ session: 'restarting' }), { loginItem: 'enabled' });
    assert.deepEqual(labels(m), [
      'WebSocket disconnect: session layer down; skills keep running, and session events resume when it is back.',
      '🟢 Skill Runtime: ok',
      '🟢 Gateway Core: ok',
      '🟡 Session Layer: restarting',
      '(separator)',
      'Skills (2)',
      'Pause all skills',
      '(separator)',
      'Open dashboard…',
      'Start at login',
      '(separator)',
      'Quit ClawKeeper',
    ]);
    const skills = m.find((i) => i.label === 'Skills (2)')!.submenu!;
    assert.deepEqual(labels(skills), ['✔ daily-memory', '✔ heartbeat']);
    assert.deepEqual(skills[0]!.submenu![1]!.action, { type: 'run', skill: 'daily-memory' });
    assert.equal(m.find((i) => i.label === 'Start at login')!.checked, true);
  });

  it('offers "Resume all" when every skill is paused, and disables run for an invalid skill', () => {
    const m = trayMenu(
      snapshot({}, [skill('a', { paused: true }), skill('b', { state: 'invalid', lastRun: null }), skill('c')]),
      { loginItem: 'disabled' },
    );
    assert.ok(labels(m).includes('Pause all skills'), 'c is not paused');
    const m2 = trayMenu(snapshot({}, [skill('a', { paused: true })]), { loginItem: 'disabled' });
    assert.ok(labels(m2).includes('Resume all skills'));
    const b = m.find((i) => i.label === 'Skills (2)')!.submenu!.find((i) => i.label?.includes(' b'))!;
    assert.equal(b.submenu![1]!.enabled, false);
  });

  it('a paused skill\'s note is in its submenu, under its last run', () => {
    const m = trayMenu(
      snapshot({}, [skill('digest', { state: 'paused', paused: true, pauseNote: 'quota until Monday' })]),
      { loginItem: 'disabled' },
    );
    const d = m.find((i) => i.label === 'Skills (1)')!.submenu!.find((i) => i.label?.includes(' digest'))!;
    assert.match(d.label!, /digest \(paused\)/);
    assert.deepEqual(d.submenu!.map((i) => i.label), ['Last run: success', 'Paused: quota until Monday', 'Run now']);
  });

  it('login item requiring approval says where to approve it; unsupported platforms disable it', () => {
    assert.match(labels(trayMenu(snapshot(), { loginItem: 'requires-approval' })).join('\n'), /approve in System Settings › Login Items/);
    assert.equal(trayMenu(snapshot(), { loginItem: 'unsupported' }).find((i) => i.type === 'checkbox')!.enabled, false);
  });

  it('initializeTray sets image, tooltip, title and menu, and only again when something changed', () => {
    const calls: string[] = [];
    const t = initializeTray({
      tray: {
        setImage: () => calls.push('image'), setToolTip: (s) => calls.push(`tip:${s}`),
        setTitle: (s) => calls.push(`title:${s}`), setContextMenu: () => calls.push('menu'),
      },
      buildMenu: (tpl) => ({ items: tpl }) as never,
      image: (icon, template) => ({ icon, template }) as never,
      onAction: () => undefined,
    });
    t.update(snapshot(), 'disabled');
    t.update(snapshot(), 'disabled');
    assert.equal(calls.length, 4);
    t.update(snapshot({ gateway: 'failed' }), 'disabled');
    assert.equal(calls.length, 8);
    assert.ok(calls.includes('title:Degraded'));
  });
});
