// @ts-check
// A colored badge with its icon (color is never the only signal), and a run outcome's badge.
import { h } from 'preact';
import htm from 'htm';
import { COLOR_ICON, OUTCOME_WORDS } from 'clawkeeper/common/health.js';
import { formatTime } from 'clawkeeper/common/time-words.js';

const html = /** @type {any} */ (htm).bind(h);

/** @param {{ color: import('clawkeeper/common/health.js').Color, children?: any, className?: string, title?: string }} p */
export function Badge({ color, children, className = '', title }) {
  return html`<span class=${`badge c-${color} ${className}`} title=${title}><span aria-hidden="true">
  ${COLOR_ICON[color]}</span> ${children}</span>`;
}

/**
 * What an outcome says about the skill: its own failure (red), not its fault (a provider outage,
 * a budget refusal, an interruption: amber), success, or still running.
 * @param {string | null} outcome @returns {'green' | 'amber' | 'red'}
 */
export const outcomeColor = (outcome) => (outcome === null
  ? 'amber'
  : outcome === 'success'
    ? 'green'
    : outcome === 'interrupted' || outcome === 'upstream-failure' || outcome === 'budget-exceeded' ? 'amber' : 'red');

/** Whose fault: the provider's (a model server kept failing), or null. @param {string | null} outcome */
export const providerFault = (outcome) => outcome === 'upstream-failure';

/**
 * A run's outcome in words. A provider failure is drawn apart (dashed outline, "provider failed"),
 * so it never reads like the skill's own failure.
 * @param {{ outcome: string | null }} p
 */
export function OutcomeBadge({ outcome }) {
  const words = outcome === null ? 'running' : /** @type {Record<string, string>} */ (OUTCOME_WORDS)[outcome] ?? outcome;
  return html`<${Badge} color=${outcomeColor(outcome)} className=${providerFault(outcome) ? 'provider' : ''}
    title=${providerFault(outcome) ? 'The model provider kept failing: not the skill\'s own failure' : undefined}>
  ${words}</${Badge}>`;
}

/**
 * A time as every view writes it (time-words.js: "14:05", "tomorrow 00:00"), with the skill's
 * zone when it is not the viewer's ("07:00 America/Los_Angeles").
 * @param {string} iso @param {string | null} [zone]
 */
export function clockTime(iso, zone = null) {
  return formatTime(iso, { zone });
}
