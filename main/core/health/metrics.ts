import type { LayerStats, Metrics } from '../../common/layer-protocol.ts';
import type { LedgerEnd } from '../../common/types.ts';
import type { LayerTransition } from './status-report.ts';

function p95(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
}

interface Span {
  from: number;
  to: number;
}

/** Periods when a layer was not ok, from its transitions, clipped to [from, to]. */
export function downSpans(transitions: LayerTransition[], layer: string, from: number, to: number): Span[] {
  const spans: Span[] = [];
  let downSince: number | null = null;
  for (const t of transitions) {
    if (t.layer !== layer) continue;
    const at = Date.parse(t.at);
    if (t.status === 'ok') {
      if (downSince !== null) spans.push({ from: Math.max(from, downSince), to: Math.min(to, at) });
      downSince = null;
    } else if (downSince === null) {
      downSince = at;
    }
  }
  if (downSince !== null) spans.push({ from: Math.max(from, downSince), to });
  return spans.filter((s) => s.to > s.from);
}

/**
 * The article's figures, computed from the layer transitions and the run ledger: uptime per layer,
 * connection issues, skill success rate overall and while a layer was down, recovery times.
 * A layer's first start ("starting") is not an outage.
 */
export function computeMetrics(
  transitions: LayerTransition[], runs: LedgerEnd[], from: number, to: number,
  dropped: Record<'session' | 'gateway', number>, runtimeDown: Span[] = [],
): Metrics {
  const span = Math.max(1, to - from);
  // An outage begins when a layer leaves `ok` (crashed, hung) and ends when it is `ok` again.
  const outages = (layer: string) => {
    let up = false;
    let n = 0;
    for (const t of transitions) {
      if (t.layer !== layer) continue;
      if (t.status === 'ok') up = true;
      else if (up) {
        n++;
        up = false;
      }
    }
    return n;
  };
  const recovery = (layer: string): LayerStats => {
    const times: number[] = [];
    let up = false;
    let downAt: number | null = null;
    for (const t of transitions) {
      if (t.layer !== layer) continue;
      if (t.status === 'ok') {
        if (downAt !== null) times.push(Date.parse(t.at) - downAt);
        downAt = null;
        up = true;
      } else if (up) {
        downAt = Date.parse(t.at);
        up = false;
      }
    }
    return { count: times.length, meanMs: times.length ? times.reduce((a, b) => a + b, 0) / times.length : null, p95Ms: p95(times) };
  };
  const notStarting = transitions.filter((t) => !(t.status === 'restarting' && t.reason === 'starting'));
  const down = { session: downSpans(notStarting, 'session', from, to), gateway: downSpans(notStarting, 'gateway', from, to) };
  const sum = (spans: Span[]) => spans.reduce((n, s) => n + (s.to - s.from), 0);
  const inRange = runs.filter((r) => Date.parse(r.started_at) >= from && Date.parse(r.started_at) <= to);
  const during = inRange.filter((r) => {
    const t = Date.parse(r.started_at);
    return [...down.session, ...down.gateway].some((s) => t >= s.from && t <= s.to);
  });
  const rate = (xs: LedgerEnd[]) => (xs.length ? xs.filter((r) => r.outcome === 'success').length / xs.length : null);
  return {
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    uptime: { session: 1 - sum(down.session) / span, gateway: 1 - sum(down.gateway) / span, runtime: 1 - sum(runtimeDown) / span },
    gatewayConnectionIssues: outages('gateway'),
    sessionConnectionIssues: outages('session'),
    skillSuccessRate: {
      overall: rate(inRange), runs: inRange.length, duringLayerFailures: rate(during),
      runsDuringLayerFailures: during.length,
    },
    recovery: { session: recovery('session'), gateway: recovery('gateway') },
    dropped,
  };
}
