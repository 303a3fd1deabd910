// Finding people by username or display name (`GET /users?q=`).

import { useEffect, useState } from './vendor/hooks.js';
import { html } from './html.js';
import { request } from './api.js';
import { state } from './store.js';

/** @typedef {import('../../types/openapi').components['schemas']['UserProfile']} UserProfile */

/**
 * A search box with results, each with a button.
 * @param {{label: string, action: string, exclude?: string[], onPick: (user: UserProfile) => void}} props
 */
export function UserSearch({ label, action, exclude = [], onPick }) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState(/** @type {UserProfile[]} */ ([]));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const id = `search-${label.toLowerCase().replace(/[^a-z]+/g, '-')}`;

  useEffect(() => {
    const query = q.trim();
    if (!query) {
      setResults([]);
      return undefined;
    }
    let current = true;
    const timer = setTimeout(() => {
      request('GET', `/users?q=${encodeURIComponent(query.slice(0, 64))}&limit=20`)
        .then((page) => {
          if (!current) return;
          setResults(page.items);
          setError(null);
        })
        .catch((e) => current && setError(e.message));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q]);

  const shown = results.filter((u) => u.id !== state.me?.id && !exclude.includes(u.id));
  return html`<div class="search">
    <label for=${id}>${label}</label>
    <input id=${id} type="search" autocomplete="off" maxlength="64" placeholder="Username or name" value=${q}
      onInput=${(/** @type {any} */ e) => setQ(e.currentTarget.value)} />
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${q.trim() ? html`<ul class="results" aria-label="People found">
      ${shown.length === 0 ? html`<li class="hint">No one found</li>` : null}
      ${shown.map((user) => html`<li key=${user.id}>
        <span>${user.display_name || user.username} <span class="hint">@${user.username}</span></span>
        <button type="button" onClick=${() => onPick(user)} aria-label=${`${action} ${user.username}`}>${action}</button>
      </li>`)}
    </ul>` : null}
  </div>`;
}
