// A tiny typed client of confab's WebSocket, written only against the types that
// frame-types.mjs generates from openapi/asyncapi.json. `tsc --strict` compiles it
// with no cast anywhere: if the document loses a frame type, a field, or a literal
// `type`, this stops compiling (the `@ts-expect-error` lines also fail if the
// types become too loose to catch a bad frame).
import type { ClientMessage, ServerMessage } from './generated/frames';

/** What a chat screen keeps per chat. */
interface ChatState {
  lastSeq: number;
  lines: string[];
  typing: string[];
}

export class ConfabSocket {
  private readonly chats = new Map<string, ChatState>();
  private userId: string | undefined;

  constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event: MessageEvent<string>) => {
      this.receive(JSON.parse(event.data));
    });
  }

  /** Sends one client frame. */
  send(frame: ClientMessage): void {
    this.socket.send(JSON.stringify(frame));
  }

  say(chatId: string, body: string, clientMessageId: string, replyTo?: string): void {
    this.send({
      type: 'message.send',
      chat_id: chatId,
      body,
      client_message_id: clientMessageId,
      reply_to_id: replyTo ?? null,
    });
  }

  /** Handles one server frame; the switch is exhaustive over every frame type. */
  receive(frame: ServerMessage): string {
    switch (frame.type) {
      case 'ready':
        this.userId = frame.user_id;
        for (const head of frame.chats) {
          this.chats.set(head.chat_id, { lastSeq: head.last_seq, lines: [], typing: [] });
        }
        return `ready: ${frame.user_id} (session ${frame.session_id})`;
      case 'pong':
        return 'pong';
      case 'error':
        return `refused ${frame.client_message_id ?? ''}: ${frame.code} ${frame.detail}`;
      case 'message.created':
      case 'message.updated':
      case 'message.deleted': {
        const chat = this.chat(frame.chat_id, frame.seq);
        const text = frame.data.body ?? '(deleted)';
        const edited = frame.data.edited_at === null || frame.data.edited_at === undefined ? '' : ' (edited)';
        chat.lines.push(`${frame.data.author_id}#${frame.data.seq}: ${text}${edited}`);
        return text;
      }
      case 'chat.created':
      case 'chat.updated': {
        const chat = this.chat(frame.chat_id, frame.seq);
        const names = frame.data.members.map((member) => member.username).join(', ');
        const title = frame.data.type === 'group' ? frame.data.name ?? 'group' : 'direct chat';
        chat.lines.push(`${title}: ${names}`);
        return title;
      }
      case 'member.added':
      case 'member.removed':
      case 'member.updated': {
        const role: string = frame.data.role ?? 'none';
        this.chat(frame.chat_id, frame.seq).lines.push(`${frame.data.user_id} ${frame.type}, role ${role}`);
        return role;
      }
      case 'read.updated':
        return `${frame.data.user_id} read up to ${frame.data.seq}`;
      case 'typing':
        this.chat(frame.chat_id, undefined).typing.push(frame.data.user_id);
        return `${frame.data.user_id} is typing`;
      default: {
        const unhandled: never = frame;
        return unhandled;
      }
    }
  }

  /** The state of `chatId`, its `lastSeq` moved to `seq` when the event is logged. */
  private chat(chatId: string, seq: number | undefined): ChatState {
    const chat = this.chats.get(chatId) ?? { lastSeq: 0, lines: [], typing: [] };
    if (seq !== undefined) {
      chat.lastSeq = Math.max(chat.lastSeq, seq);
    }
    this.chats.set(chatId, chat);
    return chat;
  }

  /** The `after` cursor for `GET /chats/{id}/events` when catching up. */
  after(chatId: string): number {
    return this.chats.get(chatId)?.lastSeq ?? 0;
  }

  me(): string | undefined {
    return this.userId;
  }
}

// Every client frame, as the document allows it.
export const examples: ClientMessage[] = [
  { type: 'ping' },
  { type: 'typing', chat_id: '0190b1d2-0000-7000-8000-000000000001' },
  { type: 'read', chat_id: '0190b1d2-0000-7000-8000-000000000001', seq: 2 },
  {
    type: 'message.send',
    chat_id: '0190b1d2-0000-7000-8000-000000000001',
    body: 'Hello!',
    client_message_id: 'hello-1',
  },
];

// What the document refuses, the types refuse too.
export const refused: ClientMessage[] = [
  // @ts-expect-error `message.send` requires `client_message_id`.
  { type: 'message.send', chat_id: 'c', body: 'no key' },
  // @ts-expect-error `read` requires `seq`.
  { type: 'read', chat_id: 'c' },
  // @ts-expect-error there is no `dance` frame.
  { type: 'dance' },
  // @ts-expect-error `pong` is a server frame.
  { type: 'pong' },
];
