// Sign in, register (with an invite link's token) and "forgot password".

import { useState } from './vendor/hooks.js';
import { html } from './html.js';
import { ApiError, callPublic, signIn } from './api.js';
import { Link, navigate } from './router.js';
import { ErrorText, Field, useAction } from './ui.js';

/** A name for this browser in the sessions list. */
function deviceName() {
  const agent = navigator.userAgent;
  const browser = /Firefox\//.test(agent) ? 'Firefox' : /Edg\//.test(agent) ? 'Edge' : /Chrom/.test(agent) ? 'Chrome' : /Safari\//.test(agent) ? 'Safari' : 'Browser';
  const system = /Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iOS' : /Windows/.test(agent) ? 'Windows' : /Mac OS/.test(agent) ? 'macOS' : /Linux/.test(agent) ? 'Linux' : '';
  return `Web · ${browser}${system ? ` on ${system}` : ''}`;
}

/** @param {{onSignedIn: (user: any) => void}} props */
export function SignIn({ onSignedIn }) {
  const [run, error, busy] = useAction();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    run(async () => {
      onSignedIn(await signIn('/auth/login', { login, password, device_name: deviceName() }));
      navigate('/chats', { replace: true });
    });
  };
  return html`<main class="auth" id="main">
    <h1>Sign in to confab</h1>
    <form onSubmit=${submit}>
      <${Field} label="Username or email" id="login" autocomplete="username" required value=${login}
        onInput=${(/** @type {any} */ e) => setLogin(e.currentTarget.value)} />
      <${Field} label="Password" id="password" type="password" autocomplete="current-password" required value=${password}
        onInput=${(/** @type {any} */ e) => setPassword(e.currentTarget.value)} />
      <${ErrorText} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>Sign in</button>
    </form>
    <p><${Link} href="/forgot-password">Forgot password?</${Link}></p>
    <p>New here? <${Link} href="/register">Create an account</${Link}></p>
  </main>`;
}

/**
 * What to tell a person the server will not register, in their words; other
 * errors unchanged.
 * @param {unknown} error
 * @param {boolean} invited whether the form carried an invite token
 */
function registrationRefusal(error, invited) {
  if (!(error instanceof ApiError)) return error;
  if (error.code === 'invite_required') {
    return new Error(invited
      ? 'This invite link no longer works: it was used, revoked or has expired. Ask an administrator for a new one.'
      : 'This server takes new accounts by invitation only. Ask an administrator for an invite link.');
  }
  if (error.code === 'registration_closed') {
    return new Error('This server is not taking new accounts. Ask an administrator to create one for you.');
  }
  return error;
}

/** @param {{onSignedIn: (user: any) => void}} props */
export function Register({ onSignedIn }) {
  const [run, error, busy] = useAction();
  const [form, setForm] = useState({ username: '', email: '', password: '', display_name: '' });
  /** @param {string} key @returns {(e: any) => void} */
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  // An admin's invite link: /register?invite=<token>.
  const invite = new URLSearchParams(location.search).get('invite') || undefined;
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    run(async () => {
      const body = { ...form, display_name: form.display_name.trim() || undefined, device_name: deviceName(), invite_token: invite };
      try {
        onSignedIn(await signIn('/auth/register', body));
      } catch (error) {
        throw registrationRefusal(error, Boolean(invite));
      }
      navigate('/chats', { replace: true });
    });
  };
  return html`<main class="auth" id="main">
    <h1>Create your confab account</h1>
    ${invite ? html`<p class="note">You were invited: this link creates one account.</p>` : null}
    <form onSubmit=${submit}>
      <${Field} label="Username (a–z, 0–9, _; 3 to 32)" id="username" autocomplete="username" required
        minlength="3" maxlength="32" value=${form.username} onInput=${set('username')} />
      <${Field} label="Email" id="email" type="email" autocomplete="email" required value=${form.email} onInput=${set('email')} />
      <${Field} label="Password (at least 8 characters)" id="password" type="password" autocomplete="new-password"
        required minlength="8" value=${form.password} onInput=${set('password')} />
      <${Field} label="Display name (optional)" id="display_name" autocomplete="name" maxlength="64"
        value=${form.display_name} onInput=${set('display_name')} />
      <${ErrorText} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>Create account</button>
    </form>
    <p>Have an account? <${Link} href="/login">Sign in</${Link}></p>
  </main>`;
}

/** Asks for a reset link (`POST /auth/password/forgot`); the answer is the same for any address. */
export function ForgotPassword() {
  const [run, error, busy] = useAction();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(/** @type {string | null} */ (null));
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    run(async () => {
      const accepted = await callPublic('POST', '/auth/password/forgot', { email });
      setSent(accepted.message);
    });
  };
  return html`<main class="auth" id="main">
    <h1>Forgot your password?</h1>
    ${sent ? html`<p class="ok" role="status">${sent}</p>
      <p class="hint">The link works for one hour. No mail? Check the address, or ask again in a minute.</p>` : html`
    <p>Enter your account's email address: we mail you a link to choose a new password.</p>
    <form onSubmit=${submit}>
      <${Field} label="Email" id="forgot-email" type="email" autocomplete="email" required value=${email}
        onInput=${(/** @type {any} */ e) => setEmail(e.currentTarget.value)} />
      <${ErrorText} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>Mail me a link</button>
    </form>`}
    <p><${Link} href="/login">Back to sign in</${Link}></p>
  </main>`;
}
