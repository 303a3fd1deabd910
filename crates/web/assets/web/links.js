// The pages the links in mails open: `/reset-password?token=…` and
// `/verify-email?token=…` (a new account's address, or a changed one). They work
// signed in or not. Opening a link only shows a form; the token is spent when the
// form is sent, so a mail scanner that fetches links cannot spend it.

import { useState } from './vendor/hooks.js';
import { html } from './html.js';
import { callPublic } from './api.js';
import { Link } from './router.js';
import * as store from './store.js';
import { ErrorText, Field, useAction, useStore } from './ui.js';

/** The `token` of the link that opened the page, or null. */
function linkToken() {
  return new URLSearchParams(location.search).get('token') || null;
}

/** What to show for a link without its token (cut when copied from the mail). */
function Incomplete() {
  return html`<p class="error" role="alert">This link is incomplete. Open it from the mail again, or copy the whole address.</p>`;
}

/** Sets a new password with a mailed link (`POST /auth/password/reset`). */
export function ResetPassword() {
  const [run, error, busy] = useAction();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const token = linkToken();
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    run(async () => {
      await callPublic('POST', '/auth/password/reset', { token, new_password: password });
      setDone(true);
    });
  };
  return html`<main class="auth" id="main">
    <h1>Choose a new password</h1>
    ${!token ? html`<${Incomplete} />`
      : done ? html`<p class="ok" role="status">Your password is changed, and every device was signed out.</p>
        <p><${Link} href="/login">Sign in with the new password</${Link}></p>`
      : html`<form onSubmit=${submit}>
        <${Field} label="New password (at least 8 characters)" id="reset-password" type="password"
          autocomplete="new-password" required minlength="8" maxlength="128" value=${password}
          onInput=${(/** @type {any} */ e) => setPassword(e.currentTarget.value)} />
        <${ErrorText} error=${error} />
        <button type="submit" class="primary" disabled=${busy}>Set the new password</button>
      </form>
      <p class="hint">Setting it signs you out on every device.</p>`}
    ${done ? null : html`<p><${Link} href="/forgot-password">Ask for a new link</${Link}></p>`}
  </main>`;
}

/**
 * Confirms an address with a mailed link (`POST /auth/email/confirm`): a new
 * account's address, or the new address of an email change.
 */
export function VerifyEmail() {
  const [run, error, busy] = useAction();
  const [confirmed, setConfirmed] = useState(/** @type {string | null} */ (null));
  const token = linkToken();
  const signedIn = useStore().me !== null;
  const confirm = () =>
    run(async () => {
      /** @type {import('./store.js').Me} */
      const me = await callPublic('POST', '/auth/email/confirm', { token });
      store.setMe(me);
      setConfirmed(me.email);
    });
  return html`<main class="auth" id="main">
    <h1>Confirm your email address</h1>
    ${!token ? html`<${Incomplete} />`
      : confirmed ? html`<p class="ok" role="status">Confirmed: ${confirmed} is your account's address.</p>`
      : html`<p>Confirm that this address is yours, for your confab account.</p>
        <${ErrorText} error=${error} />
        <button type="button" class="primary" disabled=${busy} onClick=${confirm}>Confirm my address</button>`}
    <p>${signedIn ? html`<${Link} href="/chats">Go to my chats</${Link}>` : html`<${Link} href="/login">Sign in</${Link}>`}</p>
  </main>`;
}
