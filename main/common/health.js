// @ts-check
// The health model of the contract: three layers, three modes, per-skill states, colors.
// Plain JS with JSDoc types, so that the dashboard loads this very file in the browser.

/** @typedef {'session' | 'gateway' | 'runtime'} LayerName */
/** @typedef {'ok' | 'failed' | 'restarting'} LayerStatus */
/** @typedef {'operational' | 'degraded' | 'down'} Mode */
/** @typedef {'green' | 'amber' | 'red'} Color */
/** @typedef {'ok' | 'late' | 'failing' | 'paused' | 'invalid' | 'disabled' | 'pending'} SkillState */
/** @typedef {{ status: LayerStatus, since: string, reason: string }} LayerHealth */
/** @typedef {Record<LayerName, LayerHealth>} Layers */
/**
 * @typedef {{
 *   id: 'websocket-disconnect' | 'network-partition' | 'process-restart' | 'gateway-down' | 'runtime-down',
 *   title: string,
 *   message: string,
 * }} Scenario
 */

/** @type {readonly LayerName[]} */
export const LAYER_NAMES = ['session', 'gateway', 'runtime'];

/** @param {Layers} layers @returns {Mode} */
export function modeOf(layers) {
  if (layers.runtime.status !== 'ok') return 'down';
  if (layers.session.status !== 'ok' || layers.gateway.status !== 'ok') return 'degraded';
  return 'operational';
}

/** @param {Mode} mode @returns {Color} */
export function modeColor(mode) {
  return mode === 'operational' ? 'green' : mode === 'degraded' ? 'amber' : 'red';
}

/** @param {LayerStatus} status @returns {Color} */
export function layerColor(status) {
  return status === 'ok' ? 'green' : status === 'restarting' ? 'amber' : 'red';
}

/** @param {SkillState} state @returns {Color} */
export function skillColor(state) {
  if (state === 'ok' || state === 'pending') return 'green';
  if (state === 'paused' || state === 'disabled' || state === 'late') return 'amber';
  return 'red';
}

/** Words and an icon for every color, so that color is never the only signal. */
export const COLOR_ICON = /** @type {const} */ ({ green: '✔', amber: '▲', red: '✖' });

/**
 * The failure scenarios of SEED.md, recognized from the layer states, in plain words.
 * @param {Layers} layers
 * @returns {Scenario | null}
 */
export function scenarioOf(layers) {
  const s = layers.session.status;
  const g = layers.gateway.status;
  if (layers.runtime.status !== 'ok') {
    return { id: 'runtime-down', title: 'Skills are not running', message: `${layers.runtime.reason || 'the scheduler is not running'}.` };
  }
  if (s === 'ok' && g === 'ok') return null;
  if (s === 'restarting' && g === 'restarting') {
    return { id: 'process-restart', title: 'Process restart', message: 'gateway and sessions are restarting; skills keep running and cron resumes by itself.' };
  }
  if (s !== 'ok' && g !== 'ok') {
    return { id: 'network-partition', title: 'Network partition', message: 'gateway and sessions are down; local skills still run, on time.' };
  }
  if (s !== 'ok') {
    return { id: 'websocket-disconnect', title: 'WebSocket disconnect', message: 'session layer down; skills keep running, and session events resume when it is back.' };
  }
  return { id: 'gateway-down', title: 'Gateway down', message: 'skills are still running.' };
}
