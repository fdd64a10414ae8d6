// GET /health without a credential: what anyone on the machine may know (split from
// gateway-app.ts, which serves it).
import { PUBLIC_STATUS } from '../../../common/health.js';
import type { Snapshot } from '../../../common/layer-protocol.ts';

/** The public, unauthenticated view: states only, no reasons, paths or names. */
export function publicHealth(s: Snapshot | null): { status: string; layers: Record<string, string>; scenario: string | null } {
  if (!s) return { status: 'degraded', layers: { session: 'unknown', gateway: 'ok', runtime: 'unknown' }, scenario: null };
  return {
    status: PUBLIC_STATUS[s.mode],
    layers: { session: s.layers.session.status, gateway: s.layers.gateway.status, runtime: s.layers.runtime.status },
    scenario: s.scenario?.id ?? null,
  };
}
