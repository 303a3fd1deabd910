// New chat, my profile, my sessions.

import { useEffect, useRef, useState } from './vendor/hooks.js';
import { html } from './html.js';
import { ApiError, request, forget, listAll, uploadFile } from './api.js';
import { navigate } from './router.js';
import * as store from './store.js';
import { UserSearch } from './search.js';
import { ErrorText, Field, shortTime, useAction, useStore } from './ui.js';
import { Avatar } from './files.js';

/** @typedef {import('./search.js').UserProfile} UserProfile */

export function NewChat() {
  const [run, error] = useAction();
  const [name, setName] = useState('');
  const [picked, setPicked] = useState(/** @type {UserProfile[]} */ ([]));
  /** @param {UserProfile} user */
  const direct = (user) =>
    run(async () => {
      const chat = await store.createChat({ type: 'direct', member_ids: [user.id] });
      navigate(`/chats/${chat.id}`);
    });
  /** @param {Event} event */
  const group = (event) => {
    event.preventDefault();
    run(async () => {
      const chat = await store.createChat({ type: 'group', name, member_ids: picked.map((u) => u.id) });
      navigate(`/chats/${chat.id}`);
    });
  };
  return html`<section class="page" aria-labelledby="new-title">
    <h2 id="new-title">New chat</h2>
    <${ErrorText} error=${error} />
    <h3>Message someone</h3>
    <${UserSearch} label="Find a person" action="Message" onPick=${direct} />
    <h3>Start a group</h3>
    <form onSubmit=${group}>
      <${Field} label="Group name" id="new-group-name" required maxlength="100" value=${name}
        onInput=${(/** @type {any} */ e) => setName(e.currentTarget.value)} />
      <${UserSearch} label="Add members" action="Add" exclude=${picked.map((u) => u.id)}
        onPick=${(/** @type {UserProfile} */ user) => setPicked([...picked, user])} />
      ${picked.length ? html`<ul class="chips" aria-label="Members to add">
        ${picked.map((u) => html`<li key=${u.id}>${u.display_name || u.username}
          <button type="button" aria-label=${`Do not add ${u.username}`} onClick=${() => setPicked(picked.filter((p) => p.id !== u.id))}>×</button></li>`)}
      </ul>` : null}
      <button type="submit" class="primary">Create group</button>
    </form>
  </section>`;
}

export function Profile() {
  const [run, error] = useAction();
  const [saved, setSaved] = useState(/** @type {string | null} */ (null));
  const [form, setForm] = useState(/** @type {Record<string, any> | null} */ (null));
  const [passwords, setPasswords] = useState({ current_password: '', new_password: '' });
  const [runPassword, passwordError] = useAction();

  useEffect(() => {
    run(async () => {
      const me = await request('GET', '/me');
      setForm({ ...me, current_password: '' });
    });
  }, []);
  if (!form) return html`<section class="page"><h2>My profile</h2><${ErrorText} error=${error} /><p class="hint">Loading…</p></section>`;
  /** @param {string} key @returns {(e: any) => void} */
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  /** @param {string} value */
  const orNull = (value) => (value && value.trim() ? value.trim() : null);
  /** @param {Event} event */
  const save = (event) => {
    event.preventDefault();
    setSaved(null);
    run(async () => {
      /** @type {Record<string, unknown>} */
      const body = {
        username: form.username,
        display_name: orNull(form.display_name),
        bio: orNull(form.bio),
        location: orNull(form.location),
        birth_date: orNull(form.birth_date),
        is_private: form.is_private,
      };
      if (store.state.me && form.email !== store.state.me.email) {
        body.email = form.email;
        body.current_password = form.current_password;
      }
      const me = await request('PATCH', '/me', body);
      store.setMe(me);
      setForm({ ...me, current_password: '' });
      setSaved('Saved.');
    });
  };
  /** @param {Event} event */
  const changePassword = (event) => {
    event.preventDefault();
    runPassword(async () => {
      await request('PUT', '/me/password', passwords);
      setPasswords({ current_password: '', new_password: '' });
      setSaved('Password changed; your other sessions were signed out.');
    });
  };
  return html`<section class="page" aria-labelledby="profile-title">
    <h2 id="profile-title">My profile</h2>
    <${Picture} />
    <form onSubmit=${save}>
      <${Field} label="Username" id="p-username" required value=${form.username} onInput=${set('username')} />
      <${Field} label="Display name" id="p-display_name" maxlength="64" value=${form.display_name ?? ''} onInput=${set('display_name')} />
      <${Field} label="Email" id="p-email" type="email" required value=${form.email} onInput=${set('email')} />
      ${store.state.me && form.email !== store.state.me.email ? html`<${Field} label="Current password (to change the email)" id="p-current"
        type="password" autocomplete="current-password" required value=${form.current_password} onInput=${set('current_password')} />` : null}
      <div class="field">
        <label for="p-bio">Bio</label>
        <textarea id="p-bio" maxlength="500" rows="3" value=${form.bio ?? ''} onInput=${set('bio')}></textarea>
      </div>
      <${Field} label="Location" id="p-location" maxlength="100" value=${form.location ?? ''} onInput=${set('location')} />
      <${Field} label="Birth date" id="p-birth_date" type="date" value=${form.birth_date ?? ''} onInput=${set('birth_date')} />
      <div class="check">
        <input id="p-private" type="checkbox" checked=${form.is_private} onChange=${set('is_private')} />
        <label for="p-private">Private profile (others see only my names and bio)</label>
      </div>
      <${ErrorText} error=${error} />
      ${saved ? html`<p class="ok" role="status">${saved}</p>` : null}
      <button type="submit" class="primary">Save profile</button>
    </form>
    <h3>Change password</h3>
    <form onSubmit=${changePassword}>
      <${Field} label="Current password" id="pw-current" type="password" autocomplete="current-password" required
        value=${passwords.current_password} onInput=${(/** @type {any} */ e) => setPasswords({ ...passwords, current_password: e.currentTarget.value })} />
      <${Field} label="New password" id="pw-new" type="password" autocomplete="new-password" required minlength="8"
        value=${passwords.new_password} onInput=${(/** @type {any} */ e) => setPasswords({ ...passwords, new_password: e.currentTarget.value })} />
      <${ErrorText} error=${passwordError} />
      <button type="submit">Change password</button>
    </form>
    <${DeleteAccount} />
  </section>`;
}

/** The images the server makes thumbnails of, which an avatar must be. */
const IMAGE_TYPES = 'image/png,image/jpeg,image/gif,image/webp';

/** My picture: upload one and make it my avatar, or remove it. */
function Picture() {
  const s = useStore();
  const [run, error, busy] = useAction();
  const [progress, setProgress] = useState(/** @type {number | null} */ (null));
  const me = s.me;
  if (!me) return null;
  /** @param {any} event */
  const choose = (event) => {
    /** @type {File | undefined} */
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (!file) return;
    run(async () => {
      setProgress(0);
      try {
        const upload = await uploadFile(file, setProgress);
        store.setMe(await request('PUT', '/me/avatar', { upload_id: upload.id }));
      } finally {
        setProgress(null);
      }
    });
  };
  const remove = () =>
    run(async () => {
      await request('DELETE', '/me/avatar');
      store.setMe({ ...me, avatar_url: null });
    });
  const name = me.display_name || me.username;
  return html`<div class="picture" role="group" aria-labelledby="picture-title">
    <${Avatar} url=${me.avatar_url} name=${name} large />
    <div>
      <h3 id="picture-title">Picture</h3>
      <div class="field">
        <label for="picture-file">${me.avatar_url ? 'Choose a new picture' : 'Choose a picture'} (PNG, JPEG, GIF or WebP)</label>
        <input id="picture-file" type="file" accept=${IMAGE_TYPES} disabled=${busy} onChange=${choose} />
      </div>
      ${progress !== null ? html`<p role="status"><label>Uploading <progress max="1" value=${progress}></progress></label></p>` : null}
      ${me.avatar_url ? html`<button type="button" disabled=${busy} onClick=${remove}>Remove picture</button>` : null}
      <${ErrorText} error=${error} />
    </div>
  </div>`;
}

/**
 * Deleting my own account (`DELETE /me`): a first button opens the confirmation,
 * which asks for the password; done, this browser is signed out like every other.
 */
function DeleteAccount() {
  const [asking, setAsking] = useState(false);
  const [password, setPassword] = useState('');
  const [passwordError, setPasswordError] = useState(/** @type {string | null} */ (null));
  const [run, error, busy, setError] = useAction();
  const field = useRef(/** @type {HTMLInputElement | null} */ (null));
  useEffect(() => {
    if (asking) field.current?.focus();
  }, [asking]);
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    setPasswordError(null);
    run(async () => {
      try {
        await request('DELETE', '/me', { current_password: password });
      } catch (e) {
        if (e instanceof ApiError && e.code === 'invalid_password') {
          setPasswordError('This is not your current password.');
          return;
        }
        if (e instanceof ApiError && e.code === 'last_admin') {
          throw new Error('You are the last administrator of this server, so your account cannot go: make another account an administrator first (Admin → Accounts), then delete yours.');
        }
        throw e;
      }
      forget();
    });
  };
  const cancel = () => {
    setAsking(false);
    setPassword('');
    setPasswordError(null);
    setError(null);
  };
  return html`<h3>Delete my account</h3>
    ${asking ? html`<form class="confirm" onSubmit=${submit} aria-label="Confirm deleting my account">
      <p><strong>This cannot be undone.</strong> You are signed out everywhere at once and can never sign in to this account again.</p>
      <div class="field">
        <label for="delete-password">Your password, to confirm</label>
        <input id="delete-password" ref=${field} type="password" autocomplete="current-password" required value=${password}
          aria-invalid=${passwordError ? 'true' : undefined} aria-describedby=${passwordError ? 'delete-password-error' : undefined}
          onInput=${(/** @type {any} */ e) => setPassword(e.currentTarget.value)} />
        ${passwordError ? html`<p class="error" id="delete-password-error" role="alert">${passwordError}</p>` : null}
      </div>
      <${ErrorText} error=${error} />
      <button type="submit" class="danger" disabled=${busy}>Delete my account for good</button>
      <button type="button" onClick=${cancel}>Cancel</button>
    </form>` : html`<p class="hint">Your account is closed for good: you are signed out everywhere.</p>
      <button type="button" class="danger" onClick=${() => setAsking(true)}>Delete my account…</button>`}`;
}

export function Sessions() {
  const [run, error] = useAction();
  const [sessions, setSessions] = useState(/** @type {any[] | null} */ (null));
  const load = () =>
    run(async () => {
      setSessions(await listAll('/sessions'));
    });
  useEffect(() => {
    load();
  }, []);
  /** @param {any} session */
  const revoke = (session) =>
    run(async () => {
      await request('DELETE', `/sessions/${session.id}`);
      if (session.current) {
        forget();
        return;
      }
      await load();
    });
  return html`<section class="page" aria-labelledby="sessions-title">
    <h2 id="sessions-title">My sessions</h2>
    <p class="hint">Every device or browser signed in to your account. Signing one out stops it at once.</p>
    <${ErrorText} error=${error} />
    ${sessions === null ? html`<p class="hint">Loading…</p>` : html`<ul class="sessions">
      ${sessions.map((session) => html`<li key=${session.id}>
        <div>
          <strong>${session.device_name ?? 'Unnamed device'}</strong>${session.current ? html` <span class="badge-text">this browser</span>` : null}
          <p class="hint">Signed in ${shortTime(session.created_at)} · last active ${shortTime(session.last_used_at)}</p>
        </div>
        <button type="button" class=${session.current ? 'danger' : ''} onClick=${() => revoke(session)}
          aria-label=${`Sign out ${session.device_name ?? 'unnamed device'}${session.current ? ' (this browser)' : ''}`}>Sign out</button>
      </li>`)}
    </ul>`}
  </section>`;
}
