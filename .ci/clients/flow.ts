// A client developer's first program against confab, written only against what the
// documents generate: `paths` / `operations` from openapi/openapi.json
// (openapi-typescript), calls through openapi-fetch, and WebSocket frames typed with
// `ServerMessage` from openapi/asyncapi.json (.ci/asyncapi/frame-types.mjs).
// `tsc --strict` compiles it with no cast (`as`) anywhere, then node runs it:
//   node flow.js BASE_URL
// register two users → direct chat → send with a client_message_id → retry (200, same
// id) → list with the integer cursor → mark read → Bob's socket receives Alice's
// message, answers a ping and sends a reply (client frames typed by `ClientMessage`)
// → Alice reads the rest over HTTP. Exits non-zero on any mismatch.
import createClient from 'openapi-fetch';
import type { operations, paths } from './schema.js';
import type { ClientMessage, ServerMessage } from './frames.js';

const base = process.argv[2];
if (base === undefined) {
  console.error('usage: node flow.js BASE_URL');
  process.exit(2);
}

// The operations this program calls, by the operationId the spec gives them; the
// type makes the build fail if one of them loses its id.
const used: (keyof operations)[] = [
  'register',
  'createChat',
  'sendMessage',
  'listMessages',
  'markRead',
  'openWebSocket',
];

function check(condition: boolean, what: string): void {
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
  console.log(`  ok: ${what}`);
}

/** The parsed body of a successful call; fails with the status and error otherwise. */
function body<T>(
  what: string,
  result: { data?: T; error?: unknown; response: Response },
  status: number,
): T {
  const { data, error, response } = result;
  if (response.status !== status || data === undefined) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${JSON.stringify(error)}`);
  }
  console.log(`  ${what} -> ${response.status}`);
  return data;
}

const client = createClient<paths>({ baseUrl: base });
const suffix = Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);

async function register(name: string) {
  const result = await client.POST('/api/v1/auth/register', {
    body: {
      username: `${name}_${suffix}`,
      email: `${name}.${suffix}@example.com`,
      password: 'correct horse battery',
      display_name: name,
      device_name: 'ts-client-check',
    },
  });
  return body(`register ${name}`, result, 201);
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const alice = await register('alice');
const bob = await register('bob');
const asAlice = { headers: bearer(alice.tokens.access_token) };

const chat = body(
  'createChat direct',
  await client.POST('/api/v1/chats', {
    ...asAlice,
    body: { type: 'direct', member_ids: [bob.user.id] },
  }),
  201,
);
check(chat.type === 'direct', 'the chat is direct');
check(
  chat.members.some((member) => member.user_id === bob.user.id),
  'Bob is a member of the chat',
);
const chatPath = { path: { id: chat.id } };

const send = (text: string, key: string) =>
  client.POST('/api/v1/chats/{id}/messages', {
    ...asAlice,
    params: chatPath,
    body: { body: text, client_message_id: key },
  });
const first = body('sendMessage', await send('Hello from TypeScript', 'ts-1'), 201);
const retried = body('sendMessage retry', await send('Hello from TypeScript', 'ts-1'), 200);
check(retried.id === first.id, 'the retry answers the original message (same id)');
check(retried.seq === first.seq, 'the retry took no new seq');
const second = body('sendMessage second', await send('And again', 'ts-2'), 201);
check(second.seq > first.seq, 'seqs grow');

const newest = body(
  'listMessages limit=1',
  await client.GET('/api/v1/chats/{id}/messages', {
    ...asAlice,
    params: { ...chatPath, query: { limit: 1 } },
  }),
  200,
);
check(newest.items.length === 1 && newest.items[0]?.id === second.id, 'the newest page holds the newest message');
const cursor = newest.next_cursor;
check(typeof cursor === 'number', 'next_cursor is an integer the client passes on unchanged');
if (typeof cursor !== 'number') {
  throw new Error('unreachable');
}
const older = body(
  'listMessages before=next_cursor',
  await client.GET('/api/v1/chats/{id}/messages', {
    ...asAlice,
    params: { ...chatPath, query: { before: cursor, limit: 1 } },
  }),
  200,
);
check(older.items[0]?.id === first.id, 'the cursor page holds the older message');

const read = await client.POST('/api/v1/chats/{id}/read', {
  ...asAlice,
  params: chatPath,
  body: { seq: second.seq },
});
check(read.response.status === 204, `markRead -> ${read.response.status}`);

// Bob's socket (the browser way: the token in the query string).
const socketUrl = new URL('/api/v1/ws', base);
socketUrl.protocol = socketUrl.protocol === 'https:' ? 'wss:' : 'ws:';
socketUrl.searchParams.set('access_token', bob.tokens.access_token);
const socket = new WebSocket(socketUrl);
const frames: ServerMessage[] = [];
const waiters: (() => void)[] = [];
socket.addEventListener('message', (event: MessageEvent<string>) => {
  const frame: ServerMessage = JSON.parse(event.data);
  frames.push(frame);
  waiters.splice(0).forEach((wake) => wake());
});

/** The first frame (received or to come) that `pick` turns into a value. */
async function frame<T>(what: string, pick: (frame: ServerMessage) => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (const received of frames) {
      const value = pick(received);
      if (value !== undefined) {
        console.log(`  socket received ${received.type}`);
        return value;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new Error(`no ${what} frame within 10 s; got ${frames.map((f) => f.type).join(', ')}`);
    }
    await new Promise<void>((wake) => {
      waiters.push(wake);
      setTimeout(wake, left);
    });
  }
}

const ready = await frame('ready', (f) => (f.type === 'ready' ? f : undefined));
check(ready.user_id === bob.user.id, 'ready names Bob');
check(
  ready.chats.some((head) => head.chat_id === chat.id && head.last_seq >= second.seq),
  'ready lists the chat with its last_seq',
);
const live = body('sendMessage while Bob listens', await send('Are you there, Bob?', 'ts-3'), 201);
const created = await frame('message.created', (f) =>
  f.type === 'message.created' && f.data.id === live.id ? f : undefined,
);
check(created.chat_id === chat.id && created.seq === live.seq, 'message.created carries the chat and seq');
check(created.data.body === 'Are you there, Bob?', "Bob's socket received Alice's text");
check(created.data.client_message_id === 'ts-3', 'the event carries the client_message_id');

// Bob answers on the socket, with client frames typed by the AsyncAPI document.
const sendFrame = (frame: ClientMessage) => socket.send(JSON.stringify(frame));
sendFrame({ type: 'ping' });
await frame('pong', (f) => (f.type === 'pong' ? f : undefined));
sendFrame({ type: 'message.send', chat_id: chat.id, body: 'Yes, Alice.', client_message_id: 'ts-bob-1' });
const answer = await frame('message.created', (f) =>
  f.type === 'message.created' && f.data.client_message_id === 'ts-bob-1' ? f : undefined,
);
check(answer.data.author_id === bob.user.id && answer.seq === live.seq + 1, "Bob's socket send is the next message");
socket.close(1000);

const history = body(
  'listMessages after=first',
  await client.GET('/api/v1/chats/{id}/messages', {
    ...asAlice,
    params: { ...chatPath, query: { after: first.seq } },
  }),
  200,
);
check(
  history.items.map((message) => message.body).join(' | ') === 'And again | Are you there, Bob? | Yes, Alice.',
  'Alice reads the rest of the conversation over HTTP',
);

// What the spec refuses, the generated types refuse too (compiled, never called): if
// the document loosens, these `@ts-expect-error` lines stop compiling.
export async function refused(chatId: string): Promise<void> {
  // @ts-expect-error a message cursor is an integer, not a string.
  await client.GET('/api/v1/chats/{id}/messages', { params: { path: { id: chatId }, query: { before: '12' } } });
  // @ts-expect-error register requires a password.
  await client.POST('/api/v1/auth/register', { body: { username: 'a', email: 'a@example.com' } });
  // @ts-expect-error a message's body is text (it may be left out when files are attached).
  await client.POST('/api/v1/chats/{id}/messages', { params: { path: { id: chatId } }, body: { body: 5 } });
  // @ts-expect-error attachments are named by upload ids (strings).
  await client.POST('/api/v1/chats/{id}/messages', { params: { path: { id: chatId } }, body: { attachment_ids: [1] } });
  // @ts-expect-error there is no such route.
  await client.GET('/api/v1/chats/{id}/nothing', { params: { path: { id: chatId } } });
  // @ts-expect-error a chat is `direct` or `group`.
  await client.POST('/api/v1/chats', { body: { type: 'channel', member_ids: [] } });
}

console.log(`generated operations used (operationIds in schema.d.ts): ${used.join(", ")}`);
console.log('the TypeScript client ran the whole flow');
