import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeOf, healthVerdict } from '../../main/cli/health-verdict.ts';

describe('clawkeeper health verdict', () => {
  const none = { runOnce: null, lastRun: null, time: (iso: string) => iso.slice(11, 16) };
  const verdict = (
    gateway: 'ok' | 'degraded' | 'down' | null, hostAlive: boolean,
    more: Partial<Parameters<typeof healthVerdict>[0]> = {},
  ) => {
    const v = healthVerdict({ gateway, hostAlive, ...none, ...more });
    return [v.mode, exitCodeOf(v.mode), v.line];
  };

  it('a gateway that answers ok is operational (exit 0) with the article words', () => {
    assert.deepEqual(verdict('ok', true), ['operational', 0, 'All systems operational']);
  });

  it('a gateway that answers but reports degraded or down is never operational', () => {
    assert.deepEqual(verdict('degraded', true).slice(0, 2), ['degraded', 1]);
    assert.deepEqual(verdict('down', true).slice(0, 2), ['down', 2]);
  });

  it('a dead gateway with a live host, or a run-once start within its period, is graceful degradation (exit 1) with the article words', () => {
    assert.deepEqual(verdict(null, true), ['degraded', 1, 'Gateway down but skills running - Graceful degradation mode']);
    assert.deepEqual(verdict(null, false, { runOnce: { skill: 'backup', at: '2026-03-01T11:59:00.000Z' } }), [
      'degraded', 1, 'Gateway down but skills running - Graceful degradation mode',
    ]);
  });

  it('a dead gateway with no live host and no recent run-once is down (exit 2) and says when the last run was, whatever status files are younger than an hour', () => {
    const [mode, code, line] = verdict(null, false, { lastRun: { skill: 'backup', at: '2026-03-01T11:58:00.000Z' } });
    assert.equal(mode, 'down');
    assert.equal(code, 2);
    assert.doesNotMatch(String(line), /operational|skills running/);
    assert.match(String(line), /last run started backup at 11:58/);
    assert.match(String(verdict(null, false)[2]), /no run was ever recorded/);
  });
});
