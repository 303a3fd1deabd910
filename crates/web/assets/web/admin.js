// The administration pages (`/admin/{section}`), shown to users whose `GET /me`
// says `is_admin`: accounts, chats, invites, the audit log, stats. The server checks the
// role on every `/admin` route; hiding the pages from others is only tidiness.

import { useEffect, useState } from './vendor/hooks.js';
import { html } from './html.js';
import { request } from './api.js';
import { Link } from './router.js';
import * as store from './store.js';
import { ErrorText, Field, shortTime, useAction, useStore } from './ui.js';
import { UserSearch } from './search.js';
import { fileSize } from './files.js';

/** @typedef {import('../../types/openapi').components['schemas']} Schemas */
/** @typedef {Schemas['AdminUser']} AdminUser */
/** @typedef {Schemas['AdminChat']} AdminChat */
/** @typedef {Schemas['Member']} Member */
/** @typedef {Schemas['Invite']} Invite */
/** @typedef {Schemas['AuditEntry']} AuditEntry */
/** @typedef {Schemas['Stats']} Stats */

const SECTIONS = [
  { path: 'users', title: 'Accounts' },
  { path: 'chats', title: 'Chats' },
  { path: 'invites', title: 'Invites' },
  { path: 'audit', title: 'Audit log' },
  { path: 'stats', title: 'Stats' },
];

/** @param {{section: string}} props */
export function Admin({ section }) {
  const s = useStore();
  const current = SECTIONS.find((candidate) => candidate.path === section) ?? SECTIONS[0];
  if (!s.me?.is_admin) {
    return html`<section class="page"><h2>Administration</h2><p>These pages are for the server's administrators.</p></section>`;
  }
  const body = current.path === 'invites' ? html`<${Invites} />`
    : current.path === 'chats' ? html`<${Chats} />`
    : current.path === 'audit' ? html`<${Audit} />`
    : current.path === 'stats' ? html`<${ServerStats} />`
    : html`<${Accounts} />`;
  return html`<section class="page admin" aria-labelledby="admin-title">
    <h2 id="admin-title">Administration: ${current.title}</h2>
    <nav aria-label="Administration" class="tabs">
      ${SECTIONS.map((item) => html`<${Link} key=${item.path} href=${`/admin/${item.path}`}
        aria-current=${item.path === current.path ? 'page' : undefined}>${item.title}</${Link}>`)}
    </nav>
    ${body}
  </section>`;
}

/**
 * One cursor-paged admin list (`{items, next_cursor}`): the first page, then more.
 * @template T
 * @param {string} path under /api/v1, with its filters (no `limit` or `cursor`)
 * @returns {{items: T[] | null, more: (() => void) | null, reload: () => void, error: string | null, busy: boolean}}
 */
function usePages(path) {
  const [run, error, busy] = useAction();
  const [items, setItems] = useState(/** @type {T[] | null} */ (null));
  const [cursor, setCursor] = useState(/** @type {string | null} */ (null));
  /** @param {string | null} after @param {T[]} before */
  const load = (after, before) =>
    run(async () => {
      const separator = path.includes('?') ? '&' : '?';
      const page = await request('GET', `${path}${separator}limit=50${after ? `&cursor=${encodeURIComponent(after)}` : ''}`);
      setItems([...before, ...page.items]);
      setCursor(page.next_cursor);
    });
  useEffect(() => {
    setItems(null);
    load(null, []);
  }, [path]);
  return {
    items,
    more: cursor && items ? () => load(cursor, items) : null,
    reload: () => load(null, []),
    error,
    busy,
  };
}

/** @param {{more: (() => void) | null, busy: boolean}} props */
function More({ more, busy }) {
  return more ? html`<button type="button" disabled=${busy} onClick=${more}>Show more</button>` : null;
}

function Accounts() {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [filter, setFilter] = useState({ q: '', status: '' });
  const params = new URLSearchParams();
  if (filter.q) params.set('q', filter.q);
  if (filter.status) params.set('status', filter.status);
  const query = params.toString();
  const list = usePages(`/admin/users${query ? `?${query}` : ''}`);
  const [act, actError] = useAction();

  /** @param {Event} event */
  const search = (event) => {
    event.preventDefault();
    setFilter({ q: q.trim().slice(0, 64), status });
  };
  /** @param {AdminUser} user */
  const toggle = (user) => {
    const disable = user.disabled_at === null;
    const question = disable
      ? `Disable ${user.username}? They are signed out everywhere at once and cannot sign in until enabled again.`
      : `Enable ${user.username}? They can sign in again.`;
    if (!confirm(question)) return;
    act(async () => {
      await request('POST', `/admin/users/${user.id}/${disable ? 'disable' : 'enable'}`);
      list.reload();
    });
  };
  /** @param {AdminUser} user */
  const remove = (user) => {
    if (!confirm(`Delete the account ${user.username} for good? They are signed out everywhere at once and can never sign in to it again; this cannot be undone.`)) return;
    act(async () => {
      await request('DELETE', `/admin/users/${user.id}`);
      list.reload();
    });
  };
  return html`
    <form class="filters" role="search" onSubmit=${search}>
      <${Field} label="Username or email starts with" id="admin-q" maxlength="64" value=${q}
        onInput=${(/** @type {any} */ e) => setQ(e.currentTarget.value)} />
      <div class="field">
        <label for="admin-status">Show</label>
        <select id="admin-status" value=${status} onChange=${(/** @type {any} */ e) => {
          setStatus(e.currentTarget.value);
          setFilter({ q: q.trim().slice(0, 64), status: e.currentTarget.value });
        }}>
          <option value="">All accounts</option>
          <option value="active">Active</option>
          <option value="disabled">Disabled</option>
          <option value="admin">Administrators</option>
        </select>
      </div>
      <button type="submit">Search</button>
    </form>
    <${ErrorText} error=${list.error || actError} />
    ${list.items === null ? html`<p class="hint">Loading…</p>`
      : list.items.length === 0 ? html`<p class="hint">No account matches.</p>`
      : html`<ul class="admin-list" aria-label="Accounts">
        ${list.items.map((user) => html`<li key=${user.id} data-username=${user.username}>
          <div>
            <strong>${user.username}</strong>${user.display_name ? html` · ${user.display_name}` : null}
            ${user.is_admin ? html` <span class="tag">admin</span>` : null}
            ${user.deleted_at ? html` <span class="tag danger-tag">deleted</span>`
              : user.disabled_at ? html` <span class="tag danger-tag">disabled</span>` : null}
            <p class="hint">${user.email}${user.email_verified ? '' : ' (not confirmed)'} · joined ${shortTime(user.created_at)} · ${
              user.last_seen_at ? `last seen ${shortTime(user.last_seen_at)}` : 'never signed in'}</p>
          </div>
          ${user.id === store.state.me?.id ? html`<span class="hint">you</span>`
            : user.deleted_at ? html`<span class="hint">deleted ${shortTime(user.deleted_at)}</span>`
            : html`<button type="button" class=${user.disabled_at ? '' : 'danger'} onClick=${() => toggle(user)}
              aria-label=${`${user.disabled_at ? 'Enable' : 'Disable'} ${user.username}`}>${user.disabled_at ? 'Enable' : 'Disable'}</button>
              <button type="button" class="danger" onClick=${() => remove(user)} aria-label=${`Delete ${user.username}`}>Delete</button>`}
        </li>`)}
      </ul>`}
    <${More} more=${list.more} busy=${list.busy} />
    <${CreateAccount} onCreated=${list.reload} />`;
}

/** @param {{onCreated: () => void}} props */
function CreateAccount({ onCreated }) {
  const [run, error, busy] = useAction();
  const empty = { username: '', email: '', password: '', is_admin: false };
  const [form, setForm] = useState(empty);
  const [created, setCreated] = useState(/** @type {string | null} */ (null));
  /** @param {string} key @returns {(e: any) => void} */
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    setCreated(null);
    run(async () => {
      /** @type {AdminUser} */
      const user = await request('POST', '/admin/users', {
        username: form.username,
        email: form.email,
        password: form.password || undefined,
        is_admin: form.is_admin,
      });
      setCreated(form.password
        ? `Created ${user.username}.`
        : `Created ${user.username}; a link to choose a password was mailed to ${user.email}.`);
      setForm(empty);
      onCreated();
    });
  };
  return html`<h3>Create an account</h3>
    <form onSubmit=${submit}>
      <${Field} label="Username" id="new-username" required minlength="3" maxlength="32" autocomplete="off"
        value=${form.username} onInput=${set('username')} />
      <${Field} label="Email" id="new-email" type="email" required autocomplete="off" value=${form.email} onInput=${set('email')} />
      <${Field} label="Password (leave empty to mail a link to choose one)" id="new-password" type="password"
        minlength="8" maxlength="128" autocomplete="new-password" value=${form.password} onInput=${set('password')} />
      <div class="check">
        <input id="new-is-admin" type="checkbox" checked=${form.is_admin} onChange=${set('is_admin')} />
        <label for="new-is-admin">Administrator</label>
      </div>
      <${ErrorText} error=${error} />
      ${created ? html`<p class="ok" role="status">${created}</p>` : null}
      <button type="submit" class="primary" disabled=${busy}>Create account</button>
    </form>`;
}

/**
 * Every chat, most recent activity first (no member names, no bodies: the list
 * route shows none), searchable by group name; a group's members are managed here
 * whether or not I am in it.
 */
function Chats() {
  const s = useStore();
  const [q, setQ] = useState('');
  const [filter, setFilter] = useState('');
  const list = usePages(`/admin/chats${filter ? `?q=${encodeURIComponent(filter)}` : ''}`);
  const [managing, setManaging] = useState(/** @type {string | null} */ (null));
  /** @param {Event} event */
  const search = (event) => {
    event.preventDefault();
    setFilter(q.trim().slice(0, 64));
  };
  return html`
    <form class="filters" role="search" onSubmit=${search}>
      <${Field} label="Group name starts with" id="admin-chat-q" maxlength="64" value=${q}
        onInput=${(/** @type {any} */ e) => setQ(e.currentTarget.value)} />
      <button type="submit">Search</button>
    </form>
    <p class="hint">To delete a message, join the group (or be in the chat) and delete it there: only the chats you are in show their messages.</p>
    <${ErrorText} error=${list.error} />
    ${list.items === null ? html`<p class="hint">Loading…</p>`
      : list.items.length === 0 ? html`<p class="hint">No chat matches.</p>`
      : html`<ul class="admin-list" aria-label="Chats">
        ${list.items.map((chat) => {
          const title = chat.type === 'group' ? chat.name ?? 'Unnamed group' : 'Direct chat';
          const open = managing === chat.id;
          return html`<li key=${chat.id} data-chat-id=${chat.id}>
            <div>
              <strong>${title}</strong> <span class="tag">${chat.type}</span>
              <p class="hint">${chat.member_count} ${chat.member_count === 1 ? 'member' : 'members'} · made ${shortTime(chat.created_at)} · last activity ${shortTime(chat.last_activity_at)}</p>
            </div>
            ${s.chats.has(chat.id) ? html`<${Link} href=${`/chats/${chat.id}`} aria-label=${`Open ${title}`}>Open</${Link}>` : null}
            ${chat.type === 'group' ? html`<button type="button" aria-expanded=${open} aria-controls=${`manage-${chat.id}`}
              onClick=${() => setManaging(open ? null : chat.id)} aria-label=${`Members of ${title}`}>Members</button>` : null}
            ${open ? html`<${ManageGroup} chat=${chat} title=${title} onChanged=${list.reload} />` : null}
          </li>`;
        })}
      </ul>`}
    <${More} more=${list.more} busy=${list.busy} />`;
}

/**
 * Adding people to a group and removing them, through the admin routes. The
 * members are listed only when I am in the group (`GET /chats/{id}` is for
 * members); otherwise whom to remove is found by searching people.
 * @param {{chat: AdminChat, title: string, onChanged: () => void}} props
 */
function ManageGroup({ chat, title, onChanged }) {
  const s = useStore();
  const [run, error] = useAction();
  const [done, setDone] = useState(/** @type {string | null} */ (null));
  const [members, setMembers] = useState(/** @type {Member[] | null} */ (null));
  const me = s.me?.id ?? '';
  const member = s.chats.has(chat.id);
  const loadMembers = async () => {
    setMembers(member ? (await request('GET', `/chats/${chat.id}`)).members : null);
  };
  useEffect(() => {
    run(loadMembers);
  }, [member]);
  /** @param {string[]} userIds @param {string} said */
  const add = (userIds, said) =>
    run(async () => {
      setDone(null);
      await request('POST', `/admin/chats/${chat.id}/members`, { user_ids: userIds });
      setDone(said);
      onChanged();
      await loadMembers();
    });
  /** @param {string} userId @param {string} name */
  const remove = (userId, name) => {
    if (!confirm(`Remove ${name} from ${title}?`)) return;
    run(async () => {
      setDone(null);
      await request('DELETE', `/admin/chats/${chat.id}/members/${userId}`);
      setDone(`Removed ${name}.`);
      onChanged();
      await loadMembers();
    });
  };
  return html`<div class="manage" id=${`manage-${chat.id}`} role="region" aria-label=${`Members of ${title}`}>
    ${members ? html`<ul class="members" aria-label="Members">
        ${members.map((m) => html`<li class="member" key=${m.user_id}>
          <span class="member-name">${m.display_name || m.username} <span class="hint">@${m.username}${m.user_id === me ? ' (you)' : ''}</span></span>
          <span class="role">${m.role}</span>
          <button type="button" onClick=${() => remove(m.user_id, m.username)} aria-label=${`Remove ${m.username} from ${title}`}>Remove</button>
        </li>`)}
      </ul>`
      : html`<p class="hint">You are not in this group, so its members are not shown.</p>
        <button type="button" onClick=${() => add([me], 'You joined; the group is in your chats now.')}>Join this group</button>
        <${UserSearch} label=${`Remove someone from ${title}`} action="Remove"
          onPick=${(/** @type {any} */ user) => remove(user.id, user.username)} />`}
    <${UserSearch} label=${`Add people to ${title}`} action="Add" exclude=${members?.map((m) => m.user_id) ?? []}
      onPick=${(/** @type {any} */ user) => add([user.id], `Added ${user.username}.`)} />
    ${done ? html`<p class="ok" role="status">${done}</p>` : null}
    <${ErrorText} error=${error} />
  </div>`;
}

/** How long a new invite is accepted: the choices, in seconds. */
const INVITE_LIFETIMES = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 604_800, label: '7 days' },
  { seconds: 2_592_000, label: '30 days' },
  { seconds: 7_776_000, label: '90 days' },
];

/** @param {Invite} invite */
function inviteState(invite) {
  if (invite.used_at) return `used by ${store.nameOf(invite.used_by ?? '')} ${shortTime(invite.used_at)}`;
  if (invite.revoked_at) return `revoked ${shortTime(invite.revoked_at)}`;
  if (Date.parse(invite.expires_at) <= Date.now()) return `expired ${shortTime(invite.expires_at)}`;
  return `open until ${shortTime(invite.expires_at)}`;
}

function Invites() {
  useStore(); // names of the accounts that used invites arrive later
  const list = usePages('/admin/invites');
  const [run, error, busy] = useAction();
  const [email, setEmail] = useState('');
  const [lifetime, setLifetime] = useState(604_800);
  const [link, setLink] = useState(/** @type {string | null} */ (null));
  const [copied, setCopied] = useState(/** @type {string | null} */ (null));

  /** @param {Event} event */
  const create = (event) => {
    event.preventDefault();
    setCopied(null);
    run(async () => {
      const created = await request('POST', '/admin/invites', { email: email.trim() || null, expires_in_seconds: lifetime });
      setLink(`${location.origin}/register?invite=${encodeURIComponent(created.token)}`);
      setEmail('');
      list.reload();
    });
  };
  const copy = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied('Copied.');
    } catch {
      setCopied('The browser did not allow copying: select the link and copy it.');
    }
  };
  /** @param {Invite} invite */
  const revoke = (invite) => {
    if (!confirm(`Revoke the invite${invite.email ? ` for ${invite.email}` : ''}? Its link stops working.`)) return;
    run(async () => {
      await request('DELETE', `/admin/invites/${invite.id}`);
      list.reload();
    });
  };
  return html`
    <form onSubmit=${create}>
      <${Field} label="Whom it is for (email, optional)" id="invite-email" type="email" autocomplete="off"
        value=${email} onInput=${(/** @type {any} */ e) => setEmail(e.currentTarget.value)} />
      <div class="field">
        <label for="invite-lifetime">Valid for</label>
        <select id="invite-lifetime" value=${lifetime} onChange=${(/** @type {any} */ e) => setLifetime(Number(e.currentTarget.value))}>
          ${INVITE_LIFETIMES.map((choice) => html`<option key=${choice.seconds} value=${choice.seconds}>${choice.label}</option>`)}
        </select>
      </div>
      <${ErrorText} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>Create invite</button>
    </form>
    ${link ? html`<div class="created-link">
      <${Field} label="Invite link (shown only now; it creates one account)" id="invite-link" readonly value=${link}
        onFocus=${(/** @type {any} */ e) => e.currentTarget.select()} />
      <button type="button" onClick=${copy}>Copy link</button>
      ${copied ? html` <span role="status">${copied}</span>` : null}
    </div>` : null}
    <h3>Invites</h3>
    <${ErrorText} error=${list.error} />
    ${list.items === null ? html`<p class="hint">Loading…</p>`
      : list.items.length === 0 ? html`<p class="hint">No invites yet.</p>`
      : html`<ul class="admin-list" aria-label="Invites">
        ${list.items.map((invite) => {
          const open = !invite.used_at && !invite.revoked_at && Date.parse(invite.expires_at) > Date.now();
          return html`<li key=${invite.id}>
            <div>
              <strong>${invite.email ?? 'Anyone with the link'}</strong>
              <p class="hint">made ${shortTime(invite.created_at)} · ${inviteState(invite)}</p>
            </div>
            ${open ? html`<button type="button" class="danger" onClick=${() => revoke(invite)}
              aria-label=${`Revoke the invite made ${shortTime(invite.created_at)}${invite.email ? ` for ${invite.email}` : ''}`}>Revoke</button>` : null}
          </li>`;
        })}
      </ul>`}
    <${More} more=${list.more} busy=${list.busy} />`;
}

/** `user:<id>` as the account's name; other targets as they are. @param {string} target */
function targetName(target) {
  const [kind, id] = target.split(':');
  return kind === 'user' && id ? `account ${store.nameOf(id)}` : target;
}

function Audit() {
  useStore(); // names arrive after the first render
  const list = usePages('/admin/audit');
  return html`
    <p class="hint">Every administrator action, newest first.</p>
    <${ErrorText} error=${list.error} />
    ${list.items === null ? html`<p class="hint">Loading…</p>`
      : list.items.length === 0 ? html`<p class="hint">Nothing yet.</p>`
      : html`<ul class="admin-list audit" aria-label="Audit log">
        ${list.items.map((entry) => html`<li key=${entry.id}>
          <div>
            <strong>${entry.action}</strong> · ${targetName(entry.target)}
            <p class="hint">${shortTime(entry.at)} by ${entry.admin_id ? store.nameOf(entry.admin_id) : 'the server shell'}</p>
          </div>
        </li>`)}
      </ul>`}
    <${More} more=${list.more} busy=${list.busy} />`;
}

function ServerStats() {
  const [run, error] = useAction();
  const [stats, setStats] = useState(/** @type {Stats | null} */ (null));
  const load = () =>
    run(async () => {
      setStats(await request('GET', '/admin/stats'));
    });
  useEffect(() => {
    load();
  }, []);
  return html`
    <${ErrorText} error=${error} />
    ${stats === null ? html`<p class="hint">Loading…</p>` : html`<dl class="stats">
      <div><dt>Accounts</dt><dd>${stats.users}</dd></div>
      <div><dt>Chats</dt><dd>${stats.chats}</dd></div>
      <div><dt>Messages</dt><dd>${stats.messages}</dd></div>
      <div><dt>Open connections (this node)</dt><dd>${stats.open_sockets}</dd></div>
      <div><dt>Stored files</dt><dd>${fileSize(stats.store_bytes)}</dd></div>
    </dl>`}
    <button type="button" onClick=${load}>Refresh</button>`;
}
