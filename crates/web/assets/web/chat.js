// One chat: its history (scroll-back with `before`), the composer (reply, edit,
// files), pending sends, typing, read ticks, and the panel with members, roles,
// name and disappearing-messages setting.

import { useEffect, useLayoutEffect, useRef, useState } from './vendor/hooks.js';
import { html } from './html.js';
import { Link, navigate } from './router.js';
import * as store from './store.js';
import { ErrorText, shortTime, useAction, useStore } from './ui.js';
import { UserSearch } from './search.js';
import { Attachments, Avatar, fileSize, previewOf } from './files.js';
import { clientId, uploadFile } from './api.js';

/** @typedef {import('./store.js').Message} Message */
/** @typedef {import('./store.js').Member} Member */
/** @typedef {import('./store.js').Pending} Pending */
/** @typedef {import('./store.js').Upload} Upload */
/**
 * @typedef {object} Chosen a file chosen for the next message, uploaded at once
 * @property {string} key
 * @property {string} name
 * @property {number} progress 0 to 1
 * @property {Upload | null} upload once uploaded
 * @property {string | null} error why the upload failed
 */

const TTL_CHOICES = [
  [null, 'Off'],
  [60, '1 minute'],
  [300, '5 minutes'],
  [3600, '1 hour'],
  [86400, '1 day'],
  [604800, '1 week'],
];
const TYPING_EVERY_MS = 3000;
/** The most files one message carries (the server refuses more). */
const MAX_ATTACHMENTS = 10;

/** @param {{chatId: string}} props */
export function ChatView({ chatId }) {
  const s = useStore();
  const [panel, setPanel] = useState(false);
  const [replyTo, setReplyTo] = useState(/** @type {Message | null} */ (null));
  const [editing, setEditing] = useState(/** @type {Message | null} */ (null));
  const [run, error] = useAction();

  useEffect(() => {
    setPanel(false);
    setReplyTo(null);
    setEditing(null);
    run(() => store.openChat(chatId));
    return () => {
      if (s.openChat === chatId) store.openChat(null);
    };
  }, [chatId]);

  const summary = s.chats.get(chatId);
  const detail = s.details.get(chatId);
  const history = s.histories.get(chatId);
  if (!summary || !history || !detail) {
    return html`<section class="chat" aria-busy="true"><p class="hint">${error ?? 'Loading…'}</p></section>`;
  }
  const typing = store.typingIn(chatId);
  const title = store.chatTitle(summary);
  return html`<section class="chat" aria-label=${`Chat: ${title}`}>
    <header class="chat-header">
      <${Link} href="/chats" class="back" aria-label="Back to chats">←</${Link}>
      <${Avatar} url=${summary.peer ? store.avatarOf(summary.peer.user_id) : null} name=${title} />
      <div class="chat-title">
        <h2>${title}</h2>
        <p class="subtitle" aria-live="polite">
          ${typing.length ? html`<span class="typing">${typing.join(', ')} ${typing.length > 1 ? 'are' : 'is'} typing…</span>` : summary.type === 'group' ? `${summary.member_count} members` : 'Direct chat'}
          ${summary.message_ttl_seconds ? html` · <span class="ttl">Messages disappear after ${ttlLabel(summary.message_ttl_seconds)}</span>` : null}
        </p>
      </div>
      <button type="button" aria-expanded=${panel} aria-controls="chat-panel" onClick=${() => setPanel(!panel)}>
        ${summary.type === 'group' ? 'Members' : 'Settings'}
      </button>
    </header>
    ${panel ? html`<${ChatPanel} chatId=${chatId} />` : null}
    <${History} chatId=${chatId} history=${history} detail=${detail}
      onReply=${(/** @type {Message} */ m) => { setEditing(null); setReplyTo(m); }}
      onEdit=${(/** @type {Message} */ m) => { setReplyTo(null); setEditing(m); }} />
    <${Composer} chatId=${chatId} replyTo=${replyTo} editing=${editing}
      onDone=${() => { setReplyTo(null); setEditing(null); }} />
  </section>`;
}

/** @param {number} seconds */
function ttlLabel(seconds) {
  const choice = TTL_CHOICES.find(([value]) => value === seconds);
  return choice ? String(choice[1]) : `${seconds} seconds`;
}

/**
 * @param {{chatId: string, history: import('./store.js').History, detail: import('./store.js').Chat,
 *   onReply: (m: Message) => void, onEdit: (m: Message) => void}} props
 */
function History({ chatId, history, detail, onReply, onEdit }) {
  const s = store.state;
  const list = useRef(/** @type {HTMLOListElement | null} */ (null));
  const pinned = useRef(true);
  const olderHeight = useRef(/** @type {number | null} */ (null));
  const pending = s.pending.get(chatId) ?? [];
  const count = history.items.length + pending.length;

  useLayoutEffect(() => {
    const element = list.current;
    if (!element) return;
    if (olderHeight.current !== null) {
      // Older messages went in above: keep what was on screen in place.
      element.scrollTop += element.scrollHeight - olderHeight.current;
      olderHeight.current = null;
    } else if (pinned.current) {
      element.scrollTop = element.scrollHeight;
    }
  }, [count, history.items.at(-1)?.seq, chatId]);

  const older = () => {
    if (history.before === null || history.loadingOlder) return;
    olderHeight.current = list.current?.scrollHeight ?? null;
    store.loadOlder(chatId).catch(() => { olderHeight.current = null; });
  };
  const onScroll = () => {
    const element = list.current;
    if (!element) return;
    pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
    if (element.scrollTop < 80) older();
  };

  const me = s.me?.id;
  const myRole = detail.members.find((m) => m.user_id === me)?.role;
  const moderator = detail.type === 'group' && (myRole === 'owner' || myRole === 'admin');
  const serverAdmin = s.me?.is_admin ?? false;
  const others = detail.members.filter((m) => m.user_id !== me);
  const byId = new Map(history.items.map((m) => [m.id, m]));

  return html`<ol class="messages" ref=${list} onScroll=${onScroll} aria-label="Messages" tabindex="0">
    <li class="history-start">
      ${history.before === null
        ? html`<span class="hint">The beginning of this chat</span>`
        : html`<button type="button" onClick=${older} disabled=${history.loadingOlder}>
            ${history.loadingOlder ? 'Loading…' : 'Load older messages'}</button>`}
    </li>
    ${history.items.map((message) => html`<${MessageItem} key=${message.id} message=${message} mine=${message.author_id === me}
      group=${detail.type === 'group'} moderator=${moderator} serverAdmin=${serverAdmin} others=${others} replied=${message.reply_to_id ? byId.get(message.reply_to_id) ?? null : null}
      onReply=${onReply} onEdit=${onEdit} />`)}
    ${pending.map((p) => html`<${PendingItem} key=${p.client_message_id} pending=${p} />`)}
  </ol>`;
}

/**
 * `serverAdmin`: I administer the server, so I may tombstone anyone's message in a
 * chat I am in (through `/admin/chats/…`, which the audit log records).
 * @param {{message: Message, mine: boolean, group: boolean, moderator: boolean, serverAdmin: boolean, others: Member[],
 *   replied: Message | null, onReply: (m: Message) => void, onEdit: (m: Message) => void}} props
 */
function MessageItem({ message, mine, group, moderator, serverAdmin, others, replied, onReply, onEdit }) {
  const [run, error] = useAction();
  const deleted = message.deleted_at !== null;
  const readers = others.filter((m) => m.last_read_seq >= message.seq);
  const read = readers.length > 0 && (!group || readers.length === others.length);
  const asServerAdmin = !mine && !moderator && serverAdmin;
  const remove = () => {
    const question = asServerAdmin ? 'Delete this message for everyone, as the server\'s administrator?' : 'Delete this message for everyone?';
    if (confirm(question)) run(() => store.deleteMessage(message.chat_id, message.id, asServerAdmin));
  };
  return html`<li class=${`message${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}`} data-seq=${message.seq}>
    ${group && !mine ? html`<p class="author">${store.nameOf(message.author_id)}</p>` : null}
    ${message.reply_to_id ? html`<p class="quote">${replied ? (replied.deleted_at !== null ? 'Deleted message' : previewOf(replied)) : 'An earlier message'}</p>` : null}
    ${deleted ? html`<p class="body"><em>Message deleted</em></p>` : message.body ? html`<p class="body">${message.body}</p>` : null}
    ${deleted ? null : html`<${Attachments} attachments=${message.attachments} />`}
    <p class="meta">
      <time datetime=${message.created_at}>${shortTime(message.created_at)}</time>
      ${message.edited_at && !deleted ? html` · <span>edited</span>` : null}
      ${mine && !deleted ? html` <span class=${`ticks ${read ? 'read' : 'sent'}`} data-state=${read ? 'read' : 'sent'}
          title=${read ? (group ? `Read by ${readers.length}` : 'Read') : 'Sent'}>
          <span aria-hidden="true">${read ? '✓✓' : '✓'}</span><span class="sr-only">${read ? 'Read' : 'Sent'}</span></span>` : null}
    </p>
    ${deleted ? null : html`<div class="actions">
      <button type="button" onClick=${() => onReply(message)} aria-label="Reply to this message">Reply</button>
      ${mine ? html`<button type="button" onClick=${() => onEdit(message)} aria-label="Edit this message">Edit</button>` : null}
      ${mine || moderator || serverAdmin ? html`<button type="button" onClick=${remove} aria-label="Delete this message">Delete</button>` : null}
    </div>`}
    <${ErrorText} error=${error} />
  </li>`;
}

/** @param {{pending: Pending}} props */
function PendingItem({ pending }) {
  const label = pending.status === 'failed' ? `Not sent: ${pending.error}` : pending.status === 'waiting' ? 'Waiting for the connection…' : 'Sending…';
  return html`<li class=${`message mine pending ${pending.status}`} data-pending=${pending.status}>
    ${pending.body ? html`<p class="body">${pending.body}</p>` : null}
    ${pending.attachments.length ? html`<ul class="pending-files" aria-label="Files">
      ${pending.attachments.map((upload) => html`<li key=${upload.id}>File: ${upload.filename}</li>`)}</ul>` : null}
    <p class="meta"><span role=${pending.status === 'failed' ? 'alert' : undefined}>${label}</span></p>
    ${pending.status === 'failed' ? html`<div class="actions">
      <button type="button" onClick=${() => store.retry(pending)}>Retry</button>
      <button type="button" onClick=${() => store.discard(pending)}>Discard</button></div>` : null}
  </li>`;
}

/**
 * Writing a message: text, files (chosen with the Attach button or dropped on the
 * composer, each uploaded at once with its progress shown), a reply or an edit.
 * @param {{chatId: string, replyTo: Message | null, editing: Message | null, onDone: () => void}} props
 */
function Composer({ chatId, replyTo, editing, onDone }) {
  const [text, setText] = useState('');
  const [chosen, setChosen] = useState(/** @type {Chosen[]} */ ([]));
  const [run, error, , setError] = useAction();
  const lastTyping = useRef(0);
  const input = useRef(/** @type {HTMLTextAreaElement | null} */ (null));

  useEffect(() => {
    if (editing) setText(editing.body ?? '');
    if (editing || replyTo) input.current?.focus();
  }, [editing, replyTo]);

  /** @param {string} key @param {Partial<Chosen>} change */
  const update = (key, change) => setChosen((list) => list.map((c) => (c.key === key ? { ...c, ...change } : c)));
  /** @param {FileList | File[]} files */
  const addFiles = (files) => {
    const room = MAX_ATTACHMENTS - chosen.length;
    const picked = [...files].slice(0, Math.max(0, room));
    setError(files.length > room ? `A message carries at most ${MAX_ATTACHMENTS} files.` : null);
    for (const file of picked) {
      const key = clientId();
      setChosen((list) => [...list, { key, name: file.name, progress: 0, upload: null, error: null }]);
      // A file removed meanwhile is no longer in the list: its update changes nothing.
      uploadFile(file, (progress) => update(key, { progress })).then(
        (upload) => update(key, { upload }),
        (e) => update(key, { error: e.message }),
      );
    }
  };
  const uploading = chosen.some((c) => !c.upload && !c.error);
  const failed = chosen.some((c) => c.error);

  const submit = (/** @type {Event | null} */ event) => {
    event?.preventDefault();
    const body = text.trim();
    if (editing) {
      if (!body) return;
      run(async () => {
        await store.editMessage(chatId, editing.id, body);
        setText('');
        onDone();
      });
      return;
    }
    if (uploading || failed) {
      setError(uploading ? 'Wait until the files are uploaded.' : 'Remove the files that could not be uploaded.');
      return;
    }
    const uploads = chosen.flatMap((c) => (c.upload ? [c.upload] : []));
    if (!body && uploads.length === 0) return;
    store.sendMessage(chatId, body, replyTo?.id ?? null, uploads);
    setText('');
    setChosen([]);
    setError(null);
    onDone();
  };
  /** @param {any} event */
  const onInput = (event) => {
    setText(event.currentTarget.value);
    if (!editing && Date.now() - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = Date.now();
      store.sendTyping(chatId);
    }
  };
  /** @param {KeyboardEvent} event */
  const onKeyDown = (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) submit(event);
    if (event.key === 'Escape' && (editing || replyTo)) {
      setText('');
      onDone();
    }
  };
  /** @param {DragEvent} event */
  const onDrop = (event) => {
    event.preventDefault();
    if (!editing && event.dataTransfer?.files.length) addFiles(event.dataTransfer.files);
  };
  return html`<form class="composer" onSubmit=${submit} onDragOver=${(/** @type {DragEvent} */ e) => e.preventDefault()} onDrop=${onDrop}>
    ${replyTo || editing ? html`<div class="composing">
      <span>${editing ? 'Editing your message' : html`Replying to: <q>${replyTo ? previewOf(replyTo) : ''}</q>`}</span>
      <button type="button" onClick=${() => { setText(''); onDone(); }}>Cancel</button></div>` : null}
    ${chosen.length && !editing ? html`<ul class="chips files" aria-label="Files to send">
      ${chosen.map((c) => html`<li key=${c.key} data-state=${c.error ? 'failed' : c.upload ? 'ready' : 'uploading'}>
        <span class="file-name">${c.name}</span>
        ${c.error ? html` <span class="error">not uploaded: ${c.error}</span>`
          : c.upload ? html` <span class="hint">${fileSize(c.upload.size)}</span>`
          : html` <progress max="1" value=${c.progress} aria-label=${`Uploading ${c.name}`}></progress>`}
        <button type="button" aria-label=${`Remove ${c.name}`} onClick=${() => setChosen((list) => list.filter((other) => other.key !== c.key))}>×</button>
      </li>`)}
    </ul>` : null}
    <${ErrorText} error=${error} />
    <div class="composer-row">
      ${editing ? null : html`<label class="attach">
        <input type="file" multiple class="sr-only" onChange=${(/** @type {any} */ e) => {
          addFiles([...e.currentTarget.files]);
          e.currentTarget.value = '';
        }} />
        Attach<span class="sr-only"> files</span></label>`}
      <label for="composer-text" class="sr-only">Message</label>
      <textarea id="composer-text" ref=${input} rows="1" maxlength="4000" placeholder="Write a message"
        value=${text} onInput=${onInput} onKeyDown=${onKeyDown}></textarea>
      <button type="submit" class="primary" disabled=${uploading}>${editing ? 'Save' : 'Send'}</button>
    </div>
  </form>`;
}

/** Members and roles, the group's name, the disappearing-messages setting, leaving. @param {{chatId: string}} props */
function ChatPanel({ chatId }) {
  const s = useStore();
  const [run, error] = useAction();
  const detail = s.details.get(chatId);
  const [name, setName] = useState(detail?.name ?? '');
  const current = detail?.name ?? '';
  // A rename by someone else shows up here too (unless this field is being edited).
  useEffect(() => {
    if (document.activeElement?.id !== 'group-name') setName(current);
  }, [current]);
  if (!detail) return null;
  const me = s.me?.id;
  const myRole = detail.members.find((m) => m.user_id === me)?.role ?? null;
  const group = detail.type === 'group';
  const canManage = !group || myRole === 'owner' || myRole === 'admin';
  return html`<aside class="panel" id="chat-panel" aria-label="Chat settings">
    ${group && canManage ? html`<form class="inline" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); run(() => store.updateChat(chatId, { name })); }}>
      <label for="group-name">Group name</label>
      <input id="group-name" required maxlength="100" value=${name} onInput=${(/** @type {any} */ e) => setName(e.currentTarget.value)} />
      <button type="submit">Rename</button>
    </form>` : null}
    <div class="inline">
      <label for="ttl">Disappearing messages</label>
      <select id="ttl" disabled=${!canManage} value=${String(detail.message_ttl_seconds ?? '')}
        onChange=${(/** @type {any} */ e) => run(() => store.updateChat(chatId, { message_ttl_seconds: e.currentTarget.value ? Number(e.currentTarget.value) : null }))}>
        ${TTL_CHOICES.map(([value, label]) => html`<option value=${String(value ?? '')}>${label}</option>`)}
      </select>
    </div>
    <${ErrorText} error=${error} />
    ${group ? html`<h3>Members (${detail.member_count})</h3>
      <ul class="members">
        ${detail.members.map((m) => html`<${MemberRow} key=${m.user_id} chatId=${chatId} member=${m} myRole=${myRole} me=${me} />`)}
      </ul>
      ${canManage ? html`<${UserSearch} label="Add people" action="Add"
        exclude=${detail.members.map((m) => m.user_id)} onPick=${(/** @type {any} */ user) => run(() => store.addMembers(chatId, [user.id]))} />` : null}
      <button type="button" class="danger" onClick=${() => {
        if (confirm('Leave this group?')) run(async () => { await store.removeMember(chatId, me ?? ''); navigate('/chats'); });
      }}>Leave group</button>` : null}
  </aside>`;
}

/** @param {{chatId: string, member: Member, myRole: string | null, me: string | undefined}} props */
function MemberRow({ chatId, member, myRole, me }) {
  const [run, error] = useAction();
  const self = member.user_id === me;
  const canRemove = !self && (myRole === 'owner' || (myRole === 'admin' && member.role === 'member'));
  const name = member.display_name || member.username;
  return html`<li class="member">
    <${Avatar} url=${store.avatarOf(member.user_id)} name=${name} />
    <span class="member-name">${name} <span class="hint">@${member.username}${self ? ' (you)' : ''}</span></span>
    ${myRole === 'owner' && !self
      ? html`<label class="sr-only" for=${`role-${member.user_id}`}>Role of ${name}</label>
        <select id=${`role-${member.user_id}`} value=${member.role ?? 'member'}
          onChange=${(/** @type {any} */ e) => {
            const role = e.currentTarget.value;
            if (role === 'owner' && !confirm(`Hand ownership to ${name}? You become an admin.`)) return;
            run(() => store.changeRole(chatId, member.user_id, role));
          }}>
          <option value="member">member</option><option value="admin">admin</option><option value="owner">owner</option>
        </select>`
      : html`<span class="role">${member.role}</span>`}
    ${canRemove ? html`<button type="button" aria-label=${`Remove ${name}`} onClick=${() => run(() => store.removeMember(chatId, member.user_id))}>Remove</button>` : null}
    <${ErrorText} error=${error} />
  </li>`;
}
