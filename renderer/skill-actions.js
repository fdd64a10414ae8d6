// @ts-check
// A skill's actions, on its page: Run now, Pause (with an optional note, kept with the pause and
// shown beside the state everywhere) or Resume, and Reset breaker while it is tripped. Each goes
// through the host's one command path (the gateway's IPC, or the window's), so a refusal reads
// exactly as the CLI's does.
import { h } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';

const html = /** @type {any} */ (htm).bind(h);
/** As the host's limit (main/core/skills/paused.ts). */
const NOTE_MAX = 200;

/** @param {{ s: any, source: import('./data-sources.js').DataSource }} p */
export function SkillActions({ s, source }) {
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState(/** @type {{ ok: boolean, text: string } | null} */ (null));
  const [note, setNote] = useState('');
  /** @param {() => Promise<any>} call @param {(r: any) => string} done */
  const act = async (call, done) => {
    setBusy(true);
    setSaid(null);
    try {
      setSaid({ ok: true, text: done(await call()) });
    } catch (err) {
      setSaid({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };
  const tripped = s.breaker && s.breaker.state !== 'closed';
  return html`<section class="panel skill-actions" aria-label="Actions" data-actions=${s.name}>
    <button disabled=${busy} onClick=${() => act(
      () => source.run(s.name),
      (r) => (r?.queued ? 'Queued behind the running one.' : `Started run ${r?.run_id ?? ''}.`),
    )}>Run now</button>
    ${s.paused
      ? html`<button disabled=${busy} onClick=${() => act(
        () => source.resume(s.name), () => 'Resumed: its next slot runs.',
      )}>Resume</button>`
      : html`<form class="pause-form" onSubmit=${(/** @type {Event} */ e) => {
          e.preventDefault();
          void act(() => source.pause(s.name, note.trim() || undefined), () => {
            setNote('');
            return 'Paused: its slots are skipped until you resume it.';
          });
        }}>
          <label>Note <span class="muted">(optional)</span> <input name="note" value=${note}
            maxLength=${NOTE_MAX} placeholder="why, until when"
              onInput=${(/** @type {any} */ e) => setNote(e.currentTarget.value)} /></label>
          <button type="submit" disabled=${busy}>Pause</button>
        </form>`}
    ${tripped ? html`<button disabled=${busy} onClick=${() => act(
      () => source.resetBreaker(s.name), () => 'Breaker reset: its next due slot runs.',
    )}>Reset breaker</button>` : ''}
    ${said ? html`<p class=${said.ok ? 'said muted' : 'said c-text-red'} role=${said.ok ? 'status' : 'alert'}
      data-said=${said.ok ? 'ok' : 'refused'}>
    ${said.text}</p>` : ''}
  </section>`;
}
