// The health model of the contract: three layers, three modes, per-skill states, colors.

export type LayerName = 'session' | 'gateway' | 'runtime';
export type LayerStatus = 'ok' | 'failed' | 'restarting';
export type Mode = 'operational' | 'degraded' | 'down';
export type Color = 'green' | 'amber' | 'red';
export type SkillState = 'ok' | 'late' | 'failing' | 'paused' | 'invalid' | 'disabled' | 'pending';

export interface LayerHealth {
  status: LayerStatus;
  since: string;
  reason: string;
}

export type Layers = Record<LayerName, LayerHealth>;

export const LAYER_NAMES: readonly LayerName[] = ['session', 'gateway', 'runtime'];

export function modeOf(layers: Layers): Mode {
  if (layers.runtime.status !== 'ok') return 'down';
  if (layers.session.status !== 'ok' || layers.gateway.status !== 'ok') return 'degraded';
  return 'operational';
}

export function modeColor(mode: Mode): Color {
  return mode === 'operational' ? 'green' : mode === 'degraded' ? 'amber' : 'red';
}

export function layerColor(status: LayerStatus): Color {
  return status === 'ok' ? 'green' : status === 'restarting' ? 'amber' : 'red';
}

export function skillColor(state: SkillState): Color {
  if (state === 'ok' || state === 'pending') return 'green';
  if (state === 'paused' || state === 'disabled' || state === 'late') return 'amber';
  return 'red';
}

export interface Scenario {
  id: 'websocket-disconnect' | 'network-partition' | 'process-restart' | 'gateway-down' | 'runtime-down';
  title: string;
  message: string;
}

/** The failure scenarios of SEED.md, recognized from the layer states, in plain words. */
export function scenarioOf(layers: Layers): Scenario | null {
  const s = layers.session.status;
  const g = layers.gateway.status;
  if (layers.runtime.status !== 'ok') {
    return { id: 'runtime-down', title: 'Skills are not running', message: `Skill runtime: ${layers.runtime.reason || 'not running'}` };
  }
  if (s === 'ok' && g === 'ok') return null;
  if (s === 'restarting' && g === 'restarting') {
    return { id: 'process-restart', title: 'Process restart', message: 'Gateway and sessions are restarting: skills keep running and cron resumes by itself.' };
  }
  if (s !== 'ok' && g !== 'ok') {
    return { id: 'network-partition', title: 'Network partition', message: 'Gateway and sessions are down: only local skills run, and they still run on time.' };
  }
  if (s !== 'ok') {
    return { id: 'websocket-disconnect', title: 'WebSocket disconnect', message: 'Session layer down: skills keep running; session events resume when it is back.' };
  }
  return { id: 'gateway-down', title: 'Gateway down', message: 'Gateway down: skills are still running.' };
}
