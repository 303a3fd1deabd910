// The client's entry point: who is signed in, which page is shown, the layout
// (chat list beside the page on a wide screen, one or the other on a phone) and the
// reconnecting banner.

import { render } from './vendor/preact.js';
import { useEffect, useState } from './vendor/hooks.js';
import { html } from './html.js';
import { onSignedOut, signOut, storedUser } from './api.js';
import { Link, navigate, usePath } from './router.js';
import * as store from './store.js';
import { SignIn, Register } from './auth.js';
import { ChatView } from './chat.js';
import { NewChat, Profile, Sessions } from './pages.js';
import { useStore } from './ui.js';

/** @typedef {import('./store.js').Me} Me */

function App() {
  const [user, setUser] = useState(/** @type {Me | null} */ (storedUser()));
  const path = usePath();

  useEffect(() => {
    onSignedOut(() => {
      store.stop();
      setUser(null);
      navigate('/login', { replace: true });
    });
  }, []);
  useEffect(() => {
    if (user) store.start(user).catch((e) => console.warn('confab:', e));
  }, [user?.id]);

  const authPage = path === '/login' || path === '/register';
  // Signed out, every page but register is the sign-in page; signed in, `/` and
  // the sign-in pages lead to the chats.
  useEffect(() => {
    if (!user && !authPage) navigate('/login', { replace: true });
    if (user && (authPage || path === '/')) navigate('/chats', { replace: true });
  }, [user, path]);

  if (!user) {
    return path === '/register' ? html`<${Register} onSignedIn=${setUser} />` : html`<${SignIn} onSignedIn=${setUser} />`;
  }
  return authPage || path === '/' ? null : html`<${Shell} path=${path} />`;
}

/** @param {{path: string}} props */
function Shell({ path }) {
  const s = useStore();
  const chatId = path.startsWith('/chats/') ? path.slice('/chats/'.length) : null;
  const page = chatId ? html`<${ChatView} key=${chatId} chatId=${chatId} />`
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
    <header class="topbar">
      <h1><${Link} href="/chats">confab</${Link}>${unread ? html` <span class="sr-only">(${unread} unread)</span>` : null}</h1>
      <nav aria-label="Account">
        <${Link} href="/new" aria-current=${path === '/new' ? 'page' : undefined}>New chat</${Link}>
        <${Link} href="/profile" aria-current=${path === '/profile' ? 'page' : undefined}>Profile</${Link}>
        <${Link} href="/sessions" aria-current=${path === '/sessions' ? 'page' : undefined}>Sessions</${Link}>
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

/** @param {{chat: import('./store.js').ChatListItem, current: boolean}} props */
function ChatRow({ chat, current }) {
  const last = chat.last_message;
  const preview = !last ? 'No messages yet' : last.deleted_at ? 'Message deleted' : last.body ?? '';
  const who = last && chat.type === 'group' && last.author_id !== store.state.me?.id ? `${store.nameOf(last.author_id)}: ` : last && last.author_id === store.state.me?.id ? 'You: ' : '';
  const title = store.chatTitle(chat);
  return html`<li class=${`chat-row${current ? ' current' : ''}`} data-chat-id=${chat.id}>
    <${Link} href=${`/chats/${chat.id}`} aria-current=${current ? 'page' : undefined}>
      <span class="row-title">${title}</span>
      ${chat.unread_count ? html`<span class="badge" aria-label=${`${chat.unread_count} unread`}>${chat.unread_count}</span>` : null}
      <span class="row-preview">${who}${preview}</span>
    </${Link}>
  </li>`;
}

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
