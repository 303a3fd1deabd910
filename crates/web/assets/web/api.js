// The REST side of the client: one `request` that adds the access token, renews it
// with the refresh token when it expires (rotation: every refresh token is used once),
// and turns the API's error shape into an `ApiError`.
//
// Where the tokens live, and why, is explained in docs/web.md: the access token only
// in memory; the refresh token in IndexedDB so a reload or a second tab stays signed
// in, read afresh under a Web Lock before each refresh so two tabs never present the
// same refresh token (the server would take that for theft and revoke the session).
// IndexedDB, not localStorage: a write to localStorage reaches other tabs' processes
// a little later, so a tab could still read the spent token after the lock.

/** @typedef {import('../../types/openapi').components['schemas']} Schemas */
/** @typedef {Schemas['SignedIn']} SignedIn */
/** @typedef {Schemas['Me']} Me */

const REFRESH_KEY = 'refresh_token';
const USER_KEY = 'confab.user';

/** @type {Promise<IDBDatabase> | null} */
let database = null;

/** The client's IndexedDB database (one object store, `tokens`). */
function openDatabase() {
  database ??= new Promise((resolve, reject) => {
    const open = indexedDB.open('confab', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('tokens');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return database;
}

/**
 * Runs one request on the `tokens` store and resolves once its transaction committed.
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest} action
 * @returns {Promise<any>}
 */
async function tokens(mode, action) {
  const db = await openDatabase();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction('tokens', mode);
    const request = action(transaction.objectStore('tokens'));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

/** An error answer of the API (`{status, code, title, detail, errors?}`) or a network failure (`status` 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {{field: string, message: string}[]} [errors]
   */
  constructor(status, code, message, errors = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }

  /** Whether retrying the same request later may succeed (network, 5xx, 429). */
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** @type {string | null} */
let accessToken = null;
/** @type {number} */
let accessExpires = 0;
/** @type {Promise<boolean> | null} */
let refreshing = null;
/** @type {Set<() => void>} */
const signedOutListeners = new Set();

/**
 * The signed-in user as last stored (for the first paint after a reload), or null.
 * Not a credential: without a refresh token the first request signs out.
 */
export function storedUser() {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? /** @type {Me} */ (JSON.parse(raw)) : null;
  } catch {
    return null;
  }
}

/** @param {() => void} listener called when the session ends (revoked, refresh refused). */
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
}

/** @param {SignedIn} signedIn */
async function keep(signedIn) {
  await tokens('readwrite', (store) => store.put(signedIn.tokens.refresh_token, REFRESH_KEY));
  accessToken = signedIn.tokens.access_token;
  // Renew a little before the server would refuse it.
  accessExpires = Date.now() + Math.max(10, signedIn.tokens.expires_in - 30) * 1000;
  storeUser(signedIn.user);
}

/** Keeps `user` for the first paint after a reload (see storedUser). @param {Me} user */
export function storeUser(user) {
  localStorage.setItem(USER_KEY, JSON.stringify(user));
}

/** Forgets the session on this device. */
export function forget() {
  accessToken = null;
  accessExpires = 0;
  tokens('readwrite', (store) => store.delete(REFRESH_KEY)).catch(() => {});
  localStorage.removeItem(USER_KEY);
  for (const listener of signedOutListeners) listener();
}

/**
 * Runs `task` holding the tab-wide refresh lock (Web Locks), or directly where the
 * browser has none.
 * @template T
 * @param {() => Promise<T>} task
 * @returns {Promise<T>}
 */
function withRefreshLock(task) {
  if (navigator.locks) return /** @type {Promise<T>} */ (navigator.locks.request('confab.refresh', task));
  return task();
}

/** Exchanges the stored refresh token for new tokens; false when there is no session any more. */
function refresh() {
  if (!refreshing) {
    refreshing = withRefreshLock(async () => {
      /** @type {string | undefined} */
      const token = await tokens('readonly', (store) => store.get(REFRESH_KEY));
      if (!token) {
        forget();
        return false;
      }
      const response = await send('POST', '/auth/refresh', { refresh_token: token }, null);
      if (response.ok) {
        await keep(await response.json());
        return true;
      }
      const error = await toError(response);
      if (error.status === 401) {
        forget();
        return false;
      }
      throw error;
    }).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/** A valid access token, renewed when needed; null when signed out. */
export async function token() {
  if (accessToken && Date.now() < accessExpires) return accessToken;
  return (await refresh()) ? accessToken : null;
}

/**
 * @param {string} method
 * @param {string} path under /api/v1
 * @param {unknown} body
 * @param {string | null} bearer
 */
async function send(method, path, body, bearer) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  try {
    return await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
}

/** @param {Response} response */
async function toError(response) {
  try {
    const body = await response.json();
    const detail = body.errors?.length
      ? body.errors.map((/** @type {{field: string, message: string}} */ e) => `${e.field}: ${e.message}`).join('; ')
      : body.detail || body.title;
    return new ApiError(response.status, body.code ?? 'unknown', detail, body.errors ?? []);
  } catch {
    return new ApiError(response.status, 'unknown', `The server answered ${response.status}.`);
  }
}

/**
 * Runs `call` with a valid access token; a 401 renews the token once and runs it
 * again, a second 401 signs out. Any other error answer becomes an `ApiError`.
 * @param {(bearer: string) => Promise<Response>} call
 * @returns {Promise<Response>} a 2xx response
 */
async function authorized(call) {
  for (let attempt = 0; ; attempt += 1) {
    const bearer = await token();
    if (!bearer) throw new ApiError(401, 'unauthorized', 'Please sign in.');
    const response = await call(bearer);
    if (response.status === 401 && attempt === 0) {
      accessExpires = 0;
      continue;
    }
    if (response.status === 401) forget();
    if (!response.ok) throw await toError(response);
    return response;
  }
}

/**
 * Calls the API as the signed-in user.
 * @param {string} method
 * @param {string} path under /api/v1, with its query
 * @param {unknown} [body]
 * @returns {Promise<any>} the decoded JSON body, or null for 204
 */
export async function request(method, path, body) {
  const response = await authorized((bearer) => send(method, path, body, bearer));
  return response.status === 204 ? null : response.json();
}

/**
 * The bytes of a file route (`/api/v1/files/{id}`, its `/thumbnail`, an `avatar_url`).
 * They need the bearer token, which an `<img src>` or a plain link cannot send, so
 * the views show them as `blob:` URLs (files.js). With an S3 store the server answers
 * 302 to a presigned URL: the browser follows it without the token (a cross-origin
 * redirect drops `Authorization`), which needs CORS on the bucket (docs/web.md).
 * @param {string} url a path on this server
 * @returns {Promise<Blob>}
 */
export async function fetchFile(url) {
  const response = await authorized(async (bearer) => {
    try {
      return await fetch(url, { headers: { Authorization: `Bearer ${bearer}` } });
    } catch {
      throw new ApiError(0, 'network', 'The file cannot be fetched.');
    }
  });
  return response.blob();
}

/**
 * Uploads one file (`POST /uploads`, multipart part `file`), reporting progress
 * from 0 to 1. XMLHttpRequest rather than fetch: only it reports upload progress.
 * @param {File} file
 * @param {(fraction: number) => void} [onProgress]
 * @returns {Promise<Schemas['Upload']>}
 */
export async function uploadFile(file, onProgress) {
  const response = await authorized((bearer) => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/uploads');
    xhr.setRequestHeader('Authorization', `Bearer ${bearer}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => resolve(new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status }));
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The server cannot be reached.'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  }));
  return response.json();
}

/**
 * Signs in or registers (`path` `/auth/login` or `/auth/register`).
 * @param {'/auth/login' | '/auth/register'} path
 * @param {Record<string, unknown>} body
 * @returns {Promise<Me>}
 */
export async function signIn(path, body) {
  const response = await send('POST', path, body, null);
  if (!response.ok) throw await toError(response);
  /** @type {SignedIn} */
  const signedIn = await response.json();
  await keep(signedIn);
  return signedIn.user;
}

/**
 * Calls a route that needs no session (the mail-link and forgot-password routes):
 * no token is sent, and an error answer never signs anyone out.
 * @param {string} method
 * @param {string} path under /api/v1
 * @param {unknown} [body]
 * @returns {Promise<any>} the decoded JSON body, or null for 204
 */
export async function callPublic(method, path, body) {
  const response = await send(method, path, body, null);
  if (!response.ok) throw await toError(response);
  return response.status === 204 ? null : response.json();
}

/** Ends this session on the server (best effort) and here. */
export async function signOut() {
  try {
    await request('POST', '/auth/logout');
  } catch {
    // Signed out here whatever the server says.
  }
  forget();
}

/**
 * Every item of a cursor-paged list (`{items, next_cursor}`), following the cursor.
 * @param {string} path under /api/v1, without `limit` or `cursor`
 * @returns {Promise<any[]>}
 */
export async function listAll(path) {
  const items = [];
  /** @type {string | null} */
  let cursor = null;
  do {
    const query = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await request('GET', `${path}${path.includes('?') ? '&' : '?'}${query}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** A fresh id for `client_message_id`. */
export function clientId() {
  return crypto.randomUUID();
}
