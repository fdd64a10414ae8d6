// @ts-check
// Modules the first screen does not need (the charts with uPlot, the skill page, the runs view)
// are loaded when first wanted, so the skills list paints without waiting for them.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';

const html = /** @type {any} */ (htm).bind(h);

/**
 * @template T
 * @param {() => Promise<T>} load
 * @returns {{ get: () => T | null, load: () => Promise<T> }}
 */
export function lazy(load) {
  /** @type {Promise<T> | null} */
  let p = null;
  /** @type {T | null} */
  let mod = null;
  return {
    get: () => mod,
    load: () => (p ??= load().then((m) => (mod = m))),
  };
}

/**
 * Renders `render(module)` once the module is loaded; `fallback` until then.
 * @param {{ module: { get: () => any, load: () => Promise<any> }, render: (m: any) => any, fallback?: any }} p
 */
export function Later({ module, render, fallback = null }) {
  const [, setReady] = useState(0);
  const mod = module.get();
  useEffect(() => {
    if (!mod) void module.load().then(() => setReady((n) => n + 1));
  }, [mod]);
  return mod ? render(mod) : fallback;
}

/**
 * A stylesheet only some pages need (uPlot's, with the charts): added once, when first wanted,
 * so it does not hold up the first paint.
 * @param {string} href
 */
export function addStylesheet(href) {
  if (document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

/** The wait for a page's code, in words. @param {{ what: string }} p */
export const Loading = ({ what }) => html`<p class="loading">Loading ${what}…</p>`;
