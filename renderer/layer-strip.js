// @ts-check
// The three layers at a glance, as a compact strip above the skills: the same colors, icons and
// words as ever (main/common/health.js), one line each; the reason is one more line, muted.
import { h } from 'preact';
import htm from 'htm';
import { COLOR_ICON, LAYER_NAMES, LAYER_STATUS_WORDS, LAYER_TITLES, layerColor } from 'clawkeeper/common/health.js';
import { ago } from './view-model.js';

const html = /** @type {any} */ (htm).bind(h);

/** @param {{ layers: any, pids?: any, now: number }} p */
export function LayerStrip({ layers, pids, now }) {
  return html`<section class="tiles" aria-label="Layers">
    ${LAYER_NAMES.map((name) => {
      const l = layers[name];
      const c = layerColor(l.status);
      const why = `since ${ago(l.since, now)}${l.reason ? ` — ${l.reason}` : ''}`;
      return html`<div class=${`tile c-${c}`} data-layer=${name} data-status=${l.status} data-color=${c}
        data-pid=${pids?.[name] ?? ''} title=${why}>
        <span class="name">${LAYER_TITLES[name]}</span>
        <span class="state"><span aria-hidden="true">${COLOR_ICON[c]}
        </span> ${LAYER_STATUS_WORDS[/** @type {'ok'} */ (l.status)] ?? l.status}</span>
        <span class="reason">${why}</span>
      </div>`;
    })}
  </section>`;
}
