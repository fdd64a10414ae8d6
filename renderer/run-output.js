// @ts-check
// A prompt skill's saved reply, on its run's row. The gateway renders the Markdown (markdown-it,
// raw HTML off: every character of the reply arrives as escaped text inside markup it wrote), so
// inserting that HTML runs nothing; the page's CSP forbids inline script besides.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { getJson } from './api.js';

const html = /** @type {any} */ (htm).bind(h);

/** @param {{ skill: string, runId: string }} p */
export function RunOutput({ skill, runId }) {
  const [out, setOut] = useState(/** @type {any} */ (null));
  const [error, setError] = useState('');
  useEffect(() => {
    let gone = false;
    setOut(null);
    setError('');
    getJson(`/api/skills/${skill}/output/${runId}`).then(
      (o) => !gone && setOut(o), (err) => !gone && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      gone = true;
    };
  }, [skill, runId]);
  if (error) return html`<p class="muted" data-output-error>${error}</p>`;
  if (!out) return html`<p class="muted">Loading the reply…</p>`;
  return html`<section class="run-output" aria-label=${`Reply saved by run ${runId}`} data-output-run=${runId}>
    <div class="muted out-head">
    ${out.path} · ${out.bytes.toLocaleString()} bytes${out.truncated ? ' · shown cut: open the file for the rest' : ''}</div>
    <article class="md" dangerouslySetInnerHTML=${{ __html: out.html }}></article>
  </section>`;
}
