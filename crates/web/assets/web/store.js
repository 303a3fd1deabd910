// The client's state and the rules that keep it true: chats and their order,
// messages per open chat, pending sends, typing, read positions. Every change goes
// through here and then `emit()`s; the views read `state` and re-render.
//
// The truth is each chat's log (seq 1, 2, …): the store remembers the highest seq it
// has applied per chat, applies socket events in order, and fetches
// `GET /chats/{id}/events?after=` whenever a seq is skipped or a `ready` frame says
// the chat moved on while the socket was down.

import { request, clientId, listAll, storeUser, ApiError } from './api.js';
import { Realtime } from './realtime.js';

/** @typedef {import('../../types/openapi').components['schemas']} Schemas */
/** @typedef {Schemas['Me']} Me */
/** @typedef {Schemas['ChatListItem']} ChatListItem */
/** @typedef {Schemas['Chat']} Chat */
/** @typedef {Schemas['ChatSnapshot']} ChatSnapshot */
/** @typedef {Schemas['Message']} Message */
/** @typedef {Schemas['Member']} Member */
/** @typedef {Schemas['Upload']} Upload */
/**
 * @typedef {object} Pending a send not yet confirmed by the server
 * @property {string} client_message_id
 * @property {string} chat_id
 * @property {string} body empty when it carries only files
 * @property {string | null} reply_to_id
 * @property {Upload[]} attachments my uploads it carries, the same on every retry
 * @property {string} created_at
 * @property {'sending' | 'waiting' | 'failed'} status
 * @property {string} [error]
 */
/**
 * @typedef {object} History the loaded part of a chat's messages
 * @property {Message[]} items ascending by seq
 * @property {number} seen the highest log seq applied
 * @property {number | null} before what to pass as `before` for older messages (null: none left)
 * @property {boolean} loadingOlder
 */

const TYPING_SHOWN_MS = 5000;

export const state = {
  /** @type {Me | null} */
  me: null,
  /** @type {import('./realtime.js').SocketStatus} */
  socket: 'stopped',
  /** @type {boolean} */
  everOnline: false,
  chatsLoaded: false,
  /** @type {Map<string, ChatListItem>} */
  chats: new Map(),
  /** @type {string[]} chat ids, the most recent activity first */
  order: [],
  /** @type {Map<string, Chat>} chats with their members, for the chats opened */
  details: new Map(),
  /** @type {Map<string, History>} */
  histories: new Map(),
  /** @type {Map<string, Pending[]>} */
  pending: new Map(),
  /** @type {Map<string, Map<string, number>>} chat → user → until when "typing" shows */
  typing: new Map(),
  /** @type {Map<string, {username: string, display_name?: string | null}>} */
  names: new Map(),
  /**
   * @type {Map<string, string | null | undefined>} user → `avatar_url` from their profile
   * (members carry none): undefined while it is being fetched
   */
  avatars: new Map(),
  /** @type {string | null} the chat on screen */
  openChat: null,
  version: 0,
};

/** @type {Set<() => void>} */
const listeners = new Set();
/** @type {Realtime | null} */
let realtime = null;
/** @type {Map<string, Promise<void>>} */
const catchingUp = new Map();
/** @type {ReturnType<typeof setInterval> | undefined} */
let sweeper;

/** @param {() => void} listener @returns {() => void} */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit() {
  state.version += 1;
  for (const listener of listeners) listener();
}

/** @param {unknown} error */
function report(error) {
  console.warn('confab:', error);
}

/** Starts the store for `me`: the chat list, then the socket. */
export async function start(/** @type {Me} */ me) {
  stop();
  state.me = me;
  remember(me);
  realtime = new Realtime({ ready: onReady, event: onEvent, status: onStatus });
  sweeper = setInterval(sweepExpired, 5000);
  // The stored user may be old (an admin role granted, an address confirmed since).
  request('GET', '/me').then(setMe, report);
  await loadChats();
}

/** Takes `me` as the signed-in user's profile now (kept for the next reload too). */
export function setMe(/** @type {Me} */ me) {
  if (!state.me || state.me.id !== me.id) return;
  state.me = me;
  remember(me);
  state.avatars.set(me.id, me.avatar_url);
  storeUser(me);
  emit();
}

/** Forgets everything (signed out). */
export function stop() {
  realtime?.stop();
  realtime = null;
  clearInterval(sweeper);
  state.me = null;
  state.chatsLoaded = false;
  state.everOnline = false;
  for (const map of [state.chats, state.details, state.histories, state.pending, state.typing, state.names, state.avatars]) map.clear();
  state.order = [];
  state.openChat = null;
  emit();
}

/** @param {import('./realtime.js').SocketStatus} status */
function onStatus(status) {
  state.socket = status;
  if (status === 'online') state.everOnline = true;
  emit();
}

/** @param {{user_id?: string, id?: string, username: string, display_name?: string | null}} user */
function remember(user) {
  const id = user.user_id ?? user.id;
  if (id) state.names.set(id, { username: user.username, display_name: user.display_name });
}

/** The name to show for a user id (fetched once when unknown). */
export function nameOf(/** @type {string} */ userId) {
  const known = state.names.get(userId);
  if (known) return known.display_name || known.username;
  state.names.set(userId, { username: '…', display_name: null });
  lookUp(userId).catch(() => state.names.set(userId, { username: 'someone', display_name: null }));
  return '…';
}

/**
 * The `avatar_url` of a user (null without one), from their profile, fetched once
 * per session: a picture changed meanwhile shows after a reload.
 * @param {string} userId
 * @returns {string | null}
 */
export function avatarOf(userId) {
  if (userId === state.me?.id) return state.me.avatar_url ?? null;
  if (state.avatars.has(userId)) return state.avatars.get(userId) ?? null;
  state.avatars.set(userId, undefined);
  lookUp(userId).catch(() => state.avatars.set(userId, null));
  return null;
}

/** Fetches a profile: its names and its avatar. @param {string} userId */
async function lookUp(userId) {
  /** @type {Schemas['UserProfile']} */
  const user = await request('GET', `/users/${userId}`);
  remember(user);
  state.avatars.set(user.id, user.avatar_url);
  emit();
}

/** The title of a chat: the group's name, or the other person's. */
export function chatTitle(/** @type {ChatListItem} */ chat) {
  if (chat.type === 'group') return chat.name ?? 'Group';
  return chat.peer ? chat.peer.display_name || chat.peer.username : 'Direct chat';
}

// ---- the chat list ----

/** @type {Promise<void> | null} */
let loadingChats = null;

/** Loads the whole chat list (once at a time). */
function loadChats() {
  loadingChats ??= fetchChats().finally(() => {
    loadingChats = null;
  });
  return loadingChats;
}

async function fetchChats() {
  /** @type {ChatListItem[]} */
  const all = await listAll('/chats');
  state.chats.clear();
  for (const chat of all) putSummary(chat);
  state.order = all.map((chat) => chat.id);
  state.chatsLoaded = true;
  emit();
}

/** @param {ChatListItem} chat */
function putSummary(chat) {
  state.chats.set(chat.id, chat);
  if (chat.peer) remember(chat.peer);
}

/** @param {string} chatId moves the chat to the top of the list */
function bump(chatId) {
  state.order = [chatId, ...state.order.filter((id) => id !== chatId)];
}

/**
 * The list item for a full chat object (the same chat seen from the list).
 * @param {Chat | ChatSnapshot} chat
 * @param {Partial<ChatListItem>} [extra]
 * @returns {ChatListItem}
 */
function toSummary(chat, extra = {}) {
  const me = state.me?.id;
  const mine = chat.members.find((m) => m.user_id === me);
  const peer = chat.type === 'direct' ? chat.members.find((m) => m.user_id !== me) ?? null : null;
  const previous = state.chats.get(chat.id);
  return {
    id: chat.id,
    type: chat.type,
    name: chat.name,
    created_at: chat.created_at,
    last_seq: chat.last_seq,
    message_ttl_seconds: chat.message_ttl_seconds,
    member_count: chat.member_count,
    last_message: 'last_message' in chat ? chat.last_message : previous?.last_message ?? null,
    unread_count: 'unread_count' in chat ? chat.unread_count : previous?.unread_count ?? 0,
    peer,
    my_role: mine?.role ?? null,
    ...extra,
  };
}

/** Fetches a chat afresh (members, unread count, last message); drops it when it is no longer mine. */
async function refreshChat(/** @type {string} */ chatId) {
  try {
    /** @type {Chat} */
    const chat = await request('GET', `/chats/${chatId}`);
    for (const member of chat.members) remember(member);
    state.details.set(chat.id, chat);
    const isNew = !state.chats.has(chat.id);
    putSummary(toSummary(chat));
    if (isNew) bump(chat.id);
    emit();
  } catch (error) {
    if (error instanceof ApiError && error.code === 'chat_not_found') dropChat(chatId);
    else report(error);
  }
}

/** @param {string} chatId */
function dropChat(chatId) {
  state.chats.delete(chatId);
  state.details.delete(chatId);
  state.histories.delete(chatId);
  state.order = state.order.filter((id) => id !== chatId);
  emit();
}

// ---- the socket ----

/** @param {{chats: {chat_id: string, last_seq: number}[]}} frame */
function onReady(frame) {
  if (!state.chatsLoaded) {
    // The first load failed (e.g. the server was down at start): load it now.
    loadChats().catch(report);
    return;
  }
  const live = new Set(frame.chats.map((c) => c.chat_id));
  for (const id of [...state.chats.keys()]) if (!live.has(id)) dropChat(id);
  for (const { chat_id: chatId, last_seq: lastSeq } of frame.chats) {
    const summary = state.chats.get(chatId);
    if (!summary || summary.last_seq < lastSeq) refreshChat(chatId);
    const history = state.histories.get(chatId);
    if (history && history.seen < lastSeq) catchUp(chatId);
  }
  for (const [chatId, sends] of state.pending) {
    for (const pending of sends) if (pending.status === 'waiting') deliver(chatId, pending);
  }
}

/** @param {any} frame */
function onEvent(frame) {
  if (frame.type === 'error') {
    report(frame);
    return;
  }
  const chatId = frame.chat_id;
  if (frame.type === 'typing') {
    if (frame.data.user_id === state.me?.id) return;
    const typing = state.typing.get(chatId) ?? new Map();
    typing.set(frame.data.user_id, Date.now() + TYPING_SHOWN_MS);
    state.typing.set(chatId, typing);
    setTimeout(emit, TYPING_SHOWN_MS + 50);
    emit();
    return;
  }
  if (frame.type === 'read.updated') {
    onRead(chatId, frame.data);
    return;
  }
  if (frame.type === 'chat.created') {
    /** @type {ChatSnapshot} */
    const chat = frame.data;
    for (const member of chat.members) remember(member);
    const summary = toSummary(chat);
    putSummary(summary);
    bump(chat.id);
    emit();
    refreshChat(chat.id);
    return;
  }
  updateSummary(frame);
  const history = state.histories.get(chatId);
  if (!history) return;
  if (frame.seq <= history.seen) return;
  if (frame.seq > history.seen + 1) {
    catchUp(chatId);
    return;
  }
  apply(chatId, history, frame);
  emit();
}

/**
 * Keeps the list item current with a logged event: last message, order, unread.
 * @param {any} frame
 */
function updateSummary(frame) {
  const summary = state.chats.get(frame.chat_id);
  if (!summary) {
    refreshChat(frame.chat_id);
    return;
  }
  if (typeof frame.seq !== 'number' || frame.seq <= summary.last_seq) return;
  const gap = frame.seq > summary.last_seq + 1;
  summary.last_seq = frame.seq;
  // The list is ordered by each chat's latest log entry, whatever its kind.
  bump(frame.chat_id);
  if (frame.type === 'message.created') {
    summary.last_message = frame.data;
    const mine = frame.data.author_id === state.me?.id;
    if (!mine && !isReading(frame.chat_id)) summary.unread_count += 1;
  } else if (frame.type.startsWith('message.') && summary.last_message?.id === frame.data.id) {
    summary.last_message = frame.data;
  } else if (frame.type === 'chat.updated') {
    Object.assign(summary, { name: frame.data.name, message_ttl_seconds: frame.data.message_ttl_seconds });
  }
  if (frame.type.startsWith('member.') || frame.type === 'chat.updated') {
    if (frame.type === 'member.removed' && frame.data.user_id === state.me?.id) {
      dropChat(frame.chat_id);
      return;
    }
    refreshChat(frame.chat_id);
  } else if (gap) {
    refreshChat(frame.chat_id);
  }
  emit();
}

/**
 * Applies one logged event to a loaded history (in seq order).
 * @param {string} chatId
 * @param {History} history
 * @param {any} event
 */
function apply(chatId, history, event) {
  history.seen = Math.max(history.seen, event.seq);
  if (event.type.startsWith('message.')) {
    upsert(history, event.data);
    settle(chatId, event.data);
    if (event.type === 'message.created') markRead(chatId);
  } else if (event.type === 'chat.updated') {
    const detail = state.details.get(chatId);
    if (detail) Object.assign(detail, { name: event.data.name, message_ttl_seconds: event.data.message_ttl_seconds });
  }
}

/** @param {History} history @param {Message} message */
function upsert(history, message) {
  const at = history.items.findIndex((m) => m.id === message.id);
  if (at >= 0) {
    history.items[at] = message;
    return;
  }
  history.items.push(message);
  history.items.sort((a, b) => a.seq - b.seq);
}

/** Fetches the log after what a history has seen, page by page (one at a time per chat). */
function catchUp(/** @type {string} */ chatId) {
  const running = catchingUp.get(chatId);
  if (running) return running;
  const task = (async () => {
    for (;;) {
      const history = state.histories.get(chatId);
      if (!history) return;
      const page = await request('GET', `/chats/${chatId}/events?after=${history.seen}&limit=100`);
      for (const event of page.items) if (event.seq > history.seen) apply(chatId, history, event);
      emit();
      if (page.next_cursor === null || page.items.length === 0) return;
    }
  })()
    .catch(report)
    .finally(() => catchingUp.delete(chatId));
  catchingUp.set(chatId, task);
  return task;
}

/**
 * @param {string} chatId
 * @param {{user_id: string, seq: number}} read
 */
function onRead(chatId, read) {
  const detail = state.details.get(chatId);
  const member = detail?.members.find((m) => m.user_id === read.user_id);
  if (member) member.last_read_seq = Math.max(member.last_read_seq, read.seq);
  const summary = state.chats.get(chatId);
  if (summary?.peer && summary.peer.user_id === read.user_id) {
    summary.peer.last_read_seq = Math.max(summary.peer.last_read_seq, read.seq);
  }
  if (read.user_id === state.me?.id && summary) {
    if (read.seq >= summary.last_seq) summary.unread_count = 0;
    else refreshChat(chatId);
  }
  emit();
}

// ---- an open chat ----

/** Whether the user is looking at `chatId` right now. */
function isReading(/** @type {string} */ chatId) {
  return state.openChat === chatId && document.visibilityState === 'visible';
}

/** Shows a chat: its members and newest messages (once), then marks it read. */
export async function openChat(/** @type {string | null} */ chatId) {
  state.openChat = chatId;
  emit();
  if (!chatId) return;
  if (!state.histories.has(chatId)) {
    /** @type {Chat} */
    const chat = await request('GET', `/chats/${chatId}`);
    for (const member of chat.members) remember(member);
    state.details.set(chatId, chat);
    putSummary(toSummary(chat));
    if (!state.order.includes(chatId)) bump(chatId);
    const page = await request('GET', `/chats/${chatId}/messages?limit=50`);
    /** @type {History} */
    const history = { items: [], seen: chat.last_seq, before: page.next_cursor, loadingOlder: false };
    for (const message of page.items) upsert(history, message);
    state.histories.set(chatId, history);
    emit();
    // Events may have arrived between the two requests.
    catchUp(chatId);
  }
  markRead(chatId);
}

/** Loads the page of messages before the oldest one shown. */
export async function loadOlder(/** @type {string} */ chatId) {
  const history = state.histories.get(chatId);
  if (!history || history.before === null || history.loadingOlder) return;
  history.loadingOlder = true;
  emit();
  try {
    const page = await request('GET', `/chats/${chatId}/messages?before=${history.before}&limit=50`);
    for (const message of page.items) upsert(history, message);
    history.before = page.next_cursor;
  } finally {
    history.loadingOlder = false;
    emit();
  }
}

/** Moves my read position to the newest message of the open chat, when it is on screen. */
export function markRead(/** @type {string} */ chatId) {
  if (!isReading(chatId)) return;
  const summary = state.chats.get(chatId);
  const history = state.histories.get(chatId);
  const newest = history?.items.at(-1)?.seq ?? 0;
  const detail = state.details.get(chatId);
  const me = detail?.members.find((m) => m.user_id === state.me?.id);
  if (!me || newest <= me.last_read_seq) {
    if (summary && summary.unread_count && newest >= summary.last_seq) summary.unread_count = 0;
    return;
  }
  me.last_read_seq = newest;
  if (summary && newest >= summary.last_seq) summary.unread_count = 0;
  request('POST', `/chats/${chatId}/read`, { seq: newest }).catch(report);
  emit();
}

document.addEventListener('visibilitychange', () => {
  if (state.openChat) markRead(state.openChat);
});

/** Tells the others I am typing (the view calls this at most every few seconds). */
export function sendTyping(/** @type {string} */ chatId) {
  realtime?.sendFrame({ type: 'typing', chat_id: chatId });
}

/** The names of who is typing in a chat now. */
export function typingIn(/** @type {string} */ chatId) {
  const now = Date.now();
  return [...(state.typing.get(chatId) ?? new Map())].filter(([, until]) => until > now).map(([user]) => nameOf(user));
}

// ---- sending ----

/**
 * Sends a message: shown at once as pending, confirmed by the answer or the event,
 * retried with the same `client_message_id` (and the same attachments) after a
 * network failure, so it is stored exactly once however often it is retried.
 * @param {string} chatId
 * @param {string} body may be empty when `attachments` are not
 * @param {string | null} replyTo
 * @param {Upload[]} [attachments] uploaded already (`POST /uploads`), at most 10
 */
export function sendMessage(chatId, body, replyTo, attachments = []) {
  /** @type {Pending} */
  const pending = {
    client_message_id: clientId(),
    chat_id: chatId,
    body,
    reply_to_id: replyTo,
    attachments,
    created_at: new Date().toISOString(),
    status: 'sending',
  };
  state.pending.set(chatId, [...(state.pending.get(chatId) ?? []), pending]);
  emit();
  deliver(chatId, pending);
}

/** @param {string} chatId @param {Pending} pending */
async function deliver(chatId, pending) {
  pending.status = 'sending';
  emit();
  try {
    /** @type {Message} */
    const message = await request('POST', `/chats/${chatId}/messages`, {
      // A message of files only has no body.
      body: pending.body || undefined,
      reply_to_id: pending.reply_to_id,
      client_message_id: pending.client_message_id,
      attachment_ids: pending.attachments.length ? pending.attachments.map((upload) => upload.id) : undefined,
    });
    const history = state.histories.get(chatId);
    if (history) upsert(history, message);
    settle(chatId, message);
    emit();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.retryable) {
      // Sent again with the same id when the socket is back (or after a while).
      pending.status = 'waiting';
      setTimeout(() => {
        if (pending.status === 'waiting' && state.socket === 'online') deliver(chatId, pending);
      }, 3000);
    } else {
      pending.status = 'failed';
      pending.error = error.message;
    }
    emit();
  }
}

/** Drops the pending send a stored message confirms. */
function settle(/** @type {string} */ chatId, /** @type {Message} */ message) {
  const sends = state.pending.get(chatId);
  if (!sends || !message.client_message_id) return;
  const rest = sends.filter((p) => p.client_message_id !== message.client_message_id);
  if (rest.length !== sends.length) state.pending.set(chatId, rest);
}

/** Tries a failed send again (same `client_message_id`). */
export function retry(/** @type {Pending} */ pending) {
  deliver(pending.chat_id, pending);
}

/** Gives up a failed send. */
export function discard(/** @type {Pending} */ pending) {
  const sends = state.pending.get(pending.chat_id) ?? [];
  state.pending.set(pending.chat_id, sends.filter((p) => p !== pending));
  emit();
}

/** @param {string} chatId @param {string} messageId @param {string} body */
export async function editMessage(chatId, messageId, body) {
  const message = await request('PATCH', `/chats/${chatId}/messages/${messageId}`, { body });
  const history = state.histories.get(chatId);
  if (history) upsert(history, message);
  emit();
}

/**
 * Tombstones a message: mine, or as the group's owner or admin; `asServerAdmin`
 * takes the administration route, for anyone's message in a chat I am in.
 * @param {string} chatId @param {string} messageId @param {boolean} [asServerAdmin]
 */
export async function deleteMessage(chatId, messageId, asServerAdmin = false) {
  await request('DELETE', `${asServerAdmin ? '/admin' : ''}/chats/${chatId}/messages/${messageId}`);
  const history = state.histories.get(chatId);
  const message = history?.items.find((m) => m.id === messageId);
  if (message && history) upsert(history, { ...message, body: null, attachments: [], deleted_at: new Date().toISOString() });
  emit();
}

// ---- chats and members ----

/** @param {Record<string, unknown>} body @returns {Promise<Chat>} */
export async function createChat(body) {
  /** @type {Chat} */
  const chat = await request('POST', '/chats', body);
  for (const member of chat.members) remember(member);
  state.details.set(chat.id, chat);
  putSummary(toSummary(chat));
  bump(chat.id);
  emit();
  return chat;
}

/** @param {string} chatId @param {{name?: string, message_ttl_seconds?: number | null}} changes */
export async function updateChat(chatId, changes) {
  /** @type {Chat} */
  const chat = await request('PATCH', `/chats/${chatId}`, changes);
  state.details.set(chatId, chat);
  putSummary(toSummary(chat));
  emit();
}

/** @param {string} chatId @param {string[]} userIds */
export async function addMembers(chatId, userIds) {
  /** @type {Chat} */
  const chat = await request('POST', `/chats/${chatId}/members`, { user_ids: userIds });
  for (const member of chat.members) remember(member);
  state.details.set(chatId, chat);
  putSummary(toSummary(chat));
  emit();
}

/** @param {string} chatId @param {string} userId */
export async function removeMember(chatId, userId) {
  await request('DELETE', `/chats/${chatId}/members/${userId}`);
  if (userId === state.me?.id) dropChat(chatId);
  else await refreshChat(chatId);
}

/** @param {string} chatId @param {string} userId @param {string} role */
export async function changeRole(chatId, userId, role) {
  await request('PATCH', `/chats/${chatId}/members/${userId}`, { role });
  await refreshChat(chatId);
}

/** Forgets messages older than their chat's time to live (the server stops returning them too). */
function sweepExpired() {
  const now = Date.now();
  let changed = false;
  for (const [chatId, history] of state.histories) {
    const ttl = state.chats.get(chatId)?.message_ttl_seconds;
    if (!ttl) continue;
    const kept = history.items.filter((m) => Date.parse(m.created_at) + ttl * 1000 > now);
    if (kept.length !== history.items.length) {
      history.items = kept;
      changed = true;
    }
  }
  if (changed) emit();
}
