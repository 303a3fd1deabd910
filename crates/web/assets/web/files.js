// Files on screen: avatars, image thumbnails, the full image, downloads.
//
// The file routes need the bearer token, and an `<img src>` or a link cannot send
// one, so every file is fetched with the token (api.fetchFile) and shown through a
// `blob:` URL (the CSP's `img-src` allows `blob:` for this). Each URL is fetched
// once while something shows it, shared by everything that shows it, and its
// object URL revoked once nothing has shown it for a few seconds (the grace spares a
// refetch when a view re-mounts, e.g. on a route change).

import { useEffect, useRef, useState } from './vendor/hooks.js';
import { html } from './html.js';
import { fetchFile } from './api.js';

/** @typedef {import('../../types/openapi').components['schemas']['Upload']} Upload */

const REVOKE_AFTER_MS = 5000;

/**
 * @typedef {object} Entry one fetched file
 * @property {number} users how many views show it now
 * @property {string | null} objectUrl its `blob:` URL once fetched
 * @property {Promise<string>} ready
 * @property {ReturnType<typeof setTimeout> | undefined} revoke
 */
/** @type {Map<string, Entry>} */
const shown = new Map();

/** @param {string} url @returns {Entry} */
function acquire(url) {
  let entry = shown.get(url);
  if (!entry) {
    /** @type {Entry} */
    const created = { users: 0, objectUrl: null, ready: Promise.resolve(''), revoke: undefined };
    created.ready = fetchFile(url).then((blob) => {
      created.objectUrl = URL.createObjectURL(blob);
      return created.objectUrl;
    });
    // A failed fetch is forgotten at once, so the next view asks again.
    created.ready.catch(() => {
      if (shown.get(url) === created) shown.delete(url);
    });
    shown.set(url, created);
    entry = created;
  }
  clearTimeout(entry.revoke);
  entry.users += 1;
  return entry;
}

/** @param {string} url @param {Entry} entry what `acquire(url)` gave */
function release(url, entry) {
  entry.users -= 1;
  if (entry.users > 0) return;
  entry.revoke = setTimeout(() => {
    if (entry.users > 0) return;
    if (shown.get(url) === entry) shown.delete(url);
    if (entry.objectUrl) URL.revokeObjectURL(entry.objectUrl);
  }, REVOKE_AFTER_MS);
}

/**
 * A `blob:` URL for a file route while the calling view is mounted, null until
 * fetched (or when `url` is null or the fetch failed).
 * @param {string | null} url
 * @returns {string | null}
 */
export function useFileUrl(url) {
  const [objectUrl, setObjectUrl] = useState(/** @type {string | null} */ (url ? shown.get(url)?.objectUrl ?? null : null));
  useEffect(() => {
    if (!url) {
      setObjectUrl(null);
      return undefined;
    }
    let mounted = true;
    const entry = acquire(url);
    setObjectUrl(entry.objectUrl);
    entry.ready.then((value) => mounted && setObjectUrl(value), () => mounted && setObjectUrl(null));
    return () => {
      mounted = false;
      release(url, entry);
    };
  }, [url]);
  return objectUrl;
}

/** @param {string} name @returns {string} up to two initials */
function initials(name) {
  const words = name.trim().split(/[\s_.-]+/).filter(Boolean);
  return words.slice(0, 2).map((word) => [...word][0]?.toUpperCase() ?? '').join('') || '?';
}

/**
 * Someone's picture, or their initials without one. Decorative (`alt=""`): the name
 * is always shown beside it.
 * @param {{url: string | null | undefined, name: string, large?: boolean}} props
 */
export function Avatar({ url, name, large = false }) {
  const src = useFileUrl(url ?? null);
  const className = `avatar${large ? ' large' : ''}`;
  return src
    ? html`<img class=${className} src=${src} alt="" data-avatar="picture" />`
    : html`<span class=${className} aria-hidden="true" data-avatar="initials">${initials(name)}</span>`;
}

/** @param {number} bytes @returns {string} */
export function fileSize(bytes) {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A short line for a message in a preview or quote: its text, else its files.
 * @param {import('../../types/openapi').components['schemas']['Message']} message
 */
export function previewOf(message) {
  if (message.body) return message.body;
  const files = message.attachments;
  if (files.length === 0) return '';
  return files.length === 1 ? `File: ${files[0].filename}` : `Files: ${files[0].filename} and ${files.length - 1} more`;
}

/** Whether the server made a thumbnail of the upload (it does for the images it decoded). @param {Upload} upload */
export function isImage(upload) {
  return upload.width !== null && upload.height !== null;
}

/**
 * Saves a file under its own name: fetched with the token, handed to the browser as
 * a `blob:` link with `download` (a plain link could not send the token).
 * @param {Upload} upload
 */
export async function download(upload) {
  const blob = await fetchFile(`/api/v1/files/${upload.id}`);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = upload.filename;
  link.click();
  // The browser has taken the URL once the click's task ran.
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/**
 * The files of a message: images as thumbnails that open the full image, other files
 * as download buttons.
 * @param {{attachments: Upload[]}} props
 */
export function Attachments({ attachments }) {
  const [open, setOpen] = useState(/** @type {Upload | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  if (attachments.length === 0) return null;
  /** @param {Upload} upload */
  const save = (upload) => {
    setError(null);
    download(upload).catch((e) => setError(`${upload.filename}: ${e.message}`));
  };
  return html`<div class="attachments"><ul aria-label="Attachments">
    ${attachments.map((upload) => html`<li key=${upload.id}>
      ${isImage(upload)
        ? html`<button type="button" class="thumbnail" onClick=${() => setOpen(upload)} aria-label=${`Open the image ${upload.filename}`}>
            <${Thumbnail} upload=${upload} /></button>`
        : html`<button type="button" class="file" onClick=${() => save(upload)}>
            <span class="sr-only">Download </span><span class="file-name">${upload.filename}</span> <span class="hint">${fileSize(upload.size)}</span></button>`}
    </li>`)}</ul>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${open ? html`<${ImageViewer} upload=${open} onClose=${() => setOpen(null)} onSave=${() => save(open)} />` : null}
  </div>`;
}

/** @param {{upload: Upload}} props */
function Thumbnail({ upload }) {
  const src = useFileUrl(`/api/v1/files/${upload.id}/thumbnail`);
  // The box keeps the image's shape while it loads, so the history does not jump.
  const width = Math.min(240, upload.width ?? 240);
  const height = Math.round(width * ((upload.height ?? 1) / (upload.width ?? 1)));
  return src
    ? html`<img src=${src} alt=${upload.filename} width=${width} height=${height} />`
    : html`<span class="thumbnail-loading">${upload.filename}</span>`;
}

/**
 * The full image in a modal dialog (Escape or Close shuts it; focus returns to the
 * thumbnail, as the native dialog does).
 * @param {{upload: Upload, onClose: () => void, onSave: () => void}} props
 */
function ImageViewer({ upload, onClose, onSave }) {
  const dialog = useRef(/** @type {HTMLDialogElement | null} */ (null));
  const src = useFileUrl(`/api/v1/files/${upload.id}`);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return html`<dialog class="viewer" ref=${dialog} onClose=${onClose} aria-label=${upload.filename}>
    <div class="viewer-bar">
      <span class="file-name">${upload.filename}</span>
      <button type="button" onClick=${onSave}>Download</button>
      <button type="button" onClick=${() => dialog.current?.close()}>Close</button>
    </div>
    ${src ? html`<img src=${src} alt=${upload.filename} />` : html`<p class="hint">Loading…</p>`}
  </dialog>`;
}
