import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeOf, healthVerdict } from '../../main/cli/health-verdict.ts';

describe('clawkeeper health verdict', () => {
  const verdict = (gateway: 'ok' | 'degraded' | 'down' | null, fresh: number, hostAlive: boolean) => {
    const v = healthVerdict({ gateway, fresh, hostAlive });
    return [v.mode, exitCodeOf(v.mode), v.line];
  };

  it('a gateway that answers ok is operational (exit 0) with the article words', () => {
    assert.deepEqual(verdict('ok', 0, true), ['operational', 0, 'All systems operational']);
  });

  it('a gateway that answers but reports degraded or down is never operational', () => {
    assert.deepEqual(verdict('degraded', 3, true).slice(0, 2), ['degraded', 1]);
    assert.deepEqual(verdict('down', 3, true).slice(0, 2), ['down', 2]);
  });

  it('a dead gateway with a fresh status file, or with a live host, is graceful degradation (exit 1) with the article words', () => {
    assert.deepEqual(verdict(null, 1, false), ['degraded', 1, 'Gateway down but skills running - Graceful degradation mode']);
    assert.deepEqual(verdict(null, 0, true), ['degraded', 1, 'Gateway down but skills running - Graceful degradation mode']);
  });

  it('a dead gateway, no fresh status file and no live host is down (exit 2), never "All systems operational"', () => {
    const [mode, code, line] = verdict(null, 0, false);
    assert.equal(mode, 'down');
    assert.equal(code, 2);
    assert.doesNotMatch(String(line), /operational/);
  });
});
