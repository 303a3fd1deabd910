// Small shared pieces of the views.

import { useEffect, useReducer, useState } from './vendor/hooks.js';
import { html } from './html.js';
import { state, subscribe } from './store.js';

/** Re-renders the calling component whenever the store changes; returns the state. */
export function useStore() {
  const [, tick] = useReducer((/** @type {number} */ n) => n + 1, 0);
  useEffect(() => subscribe(() => tick(0)), []);
  return state;
}

/**
 * Runs an async action for a form or button, keeping its error message and busy flag.
 * @returns {[(action: () => Promise<unknown>) => Promise<void>, string | null, boolean, (e: string | null) => void]}
 */
export function useAction() {
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);
  /** @param {() => Promise<unknown>} action */
  const run = async (action) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return [run, error, busy, setError];
}

/** @param {{error: string | null}} props */
export function ErrorText({ error }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

/** @param {string} iso @returns {string} a short local time (today) or date and time */
export function shortTime(iso) {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/**
 * A labelled input; extra props go to the input.
 * @param {{label: string, id: string, [key: string]: any}} props
 */
export function Field({ label, id, ...input }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <input id=${id} name=${id} ...${input} />
  </div>`;
}
