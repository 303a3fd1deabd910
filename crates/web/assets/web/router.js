// Page routes in the address bar (History API): `/login`, `/register`, `/chats`,
// `/chats/{id}`, `/new`, `/profile`, `/sessions`. The server answers each of them
// with index.html (confab_web::is_client_route), so a reload opens the same page.

import { useEffect, useState } from './vendor/hooks.js';
import { html } from './html.js';

/** @type {Set<() => void>} */
const listeners = new Set();

/** Goes to `path` within the client. @param {string} path @param {{replace?: boolean}} [options] */
export function navigate(path, options = {}) {
  if (path === location.pathname) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

/** The current path, re-rendering on every change. */
export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const listener = () => setPath(location.pathname);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return path;
}

/**
 * A link that changes the page without a reload (a modified click still opens a tab).
 * @param {{href: string, class?: string, children?: any, 'aria-current'?: string, 'aria-label'?: string}} props
 */
export function Link(props) {
  /** @param {MouseEvent} event */
  const onClick = (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return html`<a ...${props} onClick=${onClick}>${props.children}</a>`;
}
