// The client's entry point: who is signed in, which page is shown, the layout
// (chat list beside the page on a wide screen, one or the other on a phone) and the
// reconnecting banner, and the banner of an unconfirmed email address.

import { render } from './vendor/preact.js';
import { useEffect, useState } from './vendor/hooks.js';
import { html } from './html.js';
import { onSignedOut, request, signOut, storedUser } from './api.js';
import { Link, navigate, usePath } from './router.js';
import * as store from './store.js';
import { ForgotPassword, SignIn, Register } from './auth.js';
import { ResetPassword, VerifyEmail } from './links.js';
import { Admin } from './admin.js';
import { ChatView } from './chat.js';
import { NewChat, Profile, Sessions } from './pages.js';
import { ErrorText, useAction, useStore } from './ui.js';
import { Avatar, previewOf } from './files.js';

/** @typedef {import('./store.js').Me} Me */

/** The pages a mailed link or the sign-in page opens, signed in or not. */
const LINK_PAGES = {
  '/forgot-password': ForgotPassword,
  '/reset-password': ResetPassword,
  '/verify-email': VerifyEmail,
};

function App() {
  const [user, setUser] = useState(/** @type {Me | null} */ (storedUser()));
  const path = usePath();

  useEffect(() => {
    onSignedOut(() => {
      store.stop();
      setUser(null);
      // A password reset signs this browser out too: its page stays to say so.
      if (!(location.pathname in LINK_PAGES)) navigate('/login', { replace: true });
    });
  }, []);
  useEffect(() => {
    if (user) store.start(user).catch((e) => console.warn('confab:', e));
  }, [user?.id]);

  const authPage = path === '/login' || path === '/register';
  const LinkPage = path in LINK_PAGES ? LINK_PAGES[/** @type {keyof LINK_PAGES} */ (path)] : null;
  // Signed out, every page but register and the link pages is the sign-in page;
  // signed in, `/` and the sign-in pages lead to the chats.
  useEffect(() => {
    if (LinkPage) return;
    if (!user && !authPage) navigate('/login', { replace: true });
    if (user && (authPage || path === '/')) navigate('/chats', { replace: true });
    if (user && path === '/admin') navigate('/admin/users', { replace: true });
  }, [user, path]);

  if (LinkPage) return html`<${LinkPage} />`;
  if (!user) {
    return path === '/register' ? html`<${Register} onSignedIn=${setUser} />` : html`<${SignIn} onSignedIn=${setUser} />`;
  }
  return authPage || path === '/' ? null : html`<${Shell} path=${path} />`;
}

/** @param {{path: string}} props */
function Shell({ path }) {
  const s = useStore();
  const chatId = path.startsWith('/chats/') ? path.slice('/chats/'.length) : null;
  const adminSection = path.startsWith('/admin/') ? path.slice('/admin/'.length) : null;
  const page = chatId ? html`<${ChatView} key=${chatId} chatId=${chatId} />`
    : adminSection ? html`<${Admin} section=${adminSection} />`
    : path === '/new' ? html`<${NewChat} />`
    : path === '/profile' ? html`<${Profile} />`
    : path === '/sessions' ? html`<${Sessions} />`
    : html`<section class="page empty"><p class="hint">Choose a chat, or start a new one.</p></section>`;
  const listOnly = path === '/chats';
  useEffect(() => {
    document.title = chatId && s.chats.get(chatId) ? `${store.chatTitle(/** @type {any} */ (s.chats.get(chatId)))} · confab` : 'confab';
  });
  const unread = [...s.chats.values()].reduce((n, c) => n + c.unread_count, 0);
  return html`<div class=${`shell ${listOnly ? 'show-list' : 'show-page'}`}>
    <a class="skip" href="#page">Skip to content</a>
    ${s.socket === 'reconnecting' && s.everOnline ? html`<div class="banner" role="status">Connection lost — reconnecting…</div>` : null}
    ${s.me ? html`<${AddressBanner} me=${s.me} />` : null}
    <header class="topbar">
      <h1><${Link} href="/chats">confab</${Link}>${unread ? html` <span class="sr-only">(${unread} unread)</span>` : null}</h1>
      <nav aria-label="Account">
        <${Link} href="/new" aria-current=${path === '/new' ? 'page' : undefined}>New chat</${Link}>
        <${Link} href="/profile" aria-current=${path === '/profile' ? 'page' : undefined}>Profile</${Link}>
        <${Link} href="/sessions" aria-current=${path === '/sessions' ? 'page' : undefined}>Sessions</${Link}>
        ${s.me?.is_admin ? html`<${Link} href="/admin/users" aria-current=${adminSection ? 'page' : undefined}>Admin</${Link}>` : null}
        <button type="button" class="link" onClick=${() => signOut()}>Sign out</button>
      </nav>
    </header>
    <main class="columns">
      <nav class="chat-list" aria-label="Chats">
        <h2 class="sr-only">Chats</h2>
        ${!s.chatsLoaded ? html`<p class="hint">Loading…</p>`
          : s.order.length === 0 ? html`<p class="hint">No chats yet. <${Link} href="/new">Start one</${Link}>.</p>`
          : html`<ul>${s.order.map((id) => {
              const chat = s.chats.get(id);
              return chat ? html`<${ChatRow} key=${id} chat=${chat} current=${id === chatId} />` : null;
            })}</ul>`}
      </nav>
      <div id="page" class="page-column" tabindex="-1">${page}</div>
    </main>
  </div>`;
}

/**
 * Says an address waits for confirmation (a new account's, or the new one of an
 * email change) and mails the link again (`POST /auth/email/verify`) on request.
 * @param {{me: Me}} props
 */
function AddressBanner({ me }) {
  const [run, error, busy] = useAction();
  const [sent, setSent] = useState(/** @type {string | null} */ (null));
  const [hidden, setHidden] = useState(false);
  const waiting = me.pending_email ?? (me.email_verified ? null : me.email);
  if (!waiting || hidden) return null;
  const resend = () =>
    run(async () => {
      const accepted = await request('POST', '/auth/email/verify');
      setSent(accepted.message);
    });
  return html`<div class="banner address" role="region" aria-label="Email address">
    <p>${me.pending_email ? `Your new address ${waiting} is not confirmed yet` : `Please confirm your email address ${waiting}`}:
      open the link we mailed to it.</p>
    ${sent ? html`<p role="status">${sent}</p>` : html`<button type="button" class="link" disabled=${busy} onClick=${resend}>Send the link again</button>`}
    <button type="button" class="link" onClick=${() => setHidden(true)}>Hide</button>
    <${ErrorText} error=${error} />
  </div>`;
}

/** @param {{chat: import('./store.js').ChatListItem, current: boolean}} props */
function ChatRow({ chat, current }) {
  const last = chat.last_message;
  const preview = !last ? 'No messages yet' : last.deleted_at ? 'Message deleted' : previewOf(last);
  const who = last && chat.type === 'group' && last.author_id !== store.state.me?.id ? `${store.nameOf(last.author_id)}: ` : last && last.author_id === store.state.me?.id ? 'You: ' : '';
  const title = store.chatTitle(chat);
  return html`<li class=${`chat-row${current ? ' current' : ''}`} data-chat-id=${chat.id}>
    <${Link} href=${`/chats/${chat.id}`} aria-current=${current ? 'page' : undefined}>
      <${Avatar} url=${chat.peer ? store.avatarOf(chat.peer.user_id) : null} name=${title} />
      <span class="row-title">${title}</span>
      ${chat.unread_count ? html`<span class="badge" aria-label=${`${chat.unread_count} unread`}>${chat.unread_count}</span>` : null}
      <span class="row-preview">${who}${preview}</span>
    </${Link}>
  </li>`;
}

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
