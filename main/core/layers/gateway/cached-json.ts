import { randomBytes } from 'node:crypto';
import type { Snapshot } from '../../../common/layer-protocol.ts';

// The gateway's answers built from the host's snapshot (GET /api/snapshot, /api/skills): with 200
// skills the snapshot is ~415 KB of JSON, polled twice a second by each open dashboard.

export interface CachedJson {
  body: Buffer;
  /** An ETag: this gateway process's random id and the serialization's number (a restarted gateway never matches an old one). */
  tag: string;
}
const BOOT = randomBytes(6).toString('base64url');
let serialized = 0;

export function cachedJson(deps: { snapshot: () => Snapshot | null }, pick: (s: Snapshot | null) => unknown): () => CachedJson {
  // Serialized once per snapshot (withLiveness returns the same object while it is fresh), not once per request.
  let cache: { snap: Snapshot | null; json: CachedJson } | null = null;
  return () => {
    const snap = deps.snapshot();
    if (!cache || snap !== cache.snap) cache = {
      snap, json: { body: Buffer.from(JSON.stringify(pick(snap))), tag: `"${BOOT}-${++serialized}"` },
    };
    return cache.json;
  };
}
