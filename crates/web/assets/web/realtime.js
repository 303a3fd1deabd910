// The WebSocket: one per tab for all chats. It reconnects with backoff after any
// drop (and at once when the browser comes back online), pings to notice a dead
// connection, and hands every `ready` frame to the store, which catches up with
// `events?after=` for whatever it missed.

import { token, forget } from './api.js';

/** @typedef {'connecting' | 'online' | 'reconnecting' | 'stopped'} SocketStatus */

const PING_EVERY_MS = 20_000;
const SILENT_LIMIT_MS = 45_000;

export class Realtime {
  /**
   * @param {{ready: (frame: any) => void, event: (frame: any) => void, status: (status: SocketStatus) => void}} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
    /** @type {WebSocket | null} */
    this.socket = null;
    this.attempts = 0;
    this.stopped = false;
    this.lastHeard = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    this.pinger = setInterval(() => this.keepAlive(), PING_EVERY_MS);
    this.onOffline = () => this.drop();
    this.onOnline = () => this.reconnectNow();
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  async connect() {
    if (this.stopped) return;
    this.handlers.status(this.attempts === 0 ? 'connecting' : 'reconnecting');
    let bearer;
    try {
      bearer = await token();
    } catch {
      this.scheduleRetry();
      return;
    }
    if (!bearer || this.stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws?access_token=${encodeURIComponent(bearer)}`);
    this.socket = socket;
    socket.onmessage = (message) => {
      if (socket !== this.socket) return;
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        this.attempts = 0;
        this.handlers.status('online');
        this.handlers.ready(frame);
      } else if (frame.type !== 'pong') {
        this.handlers.event(frame);
      }
    };
    socket.onclose = (close) => {
      if (socket !== this.socket) return;
      this.socket = null;
      if (close.code === 4401) {
        // The session was revoked (signed out elsewhere): nothing to reconnect to.
        this.stop();
        forget();
        return;
      }
      this.scheduleRetry();
    };
  }

  scheduleRetry() {
    if (this.stopped) return;
    this.handlers.status('reconnecting');
    this.attempts += 1;
    const delay = Math.min(10_000, 500 * 2 ** Math.min(this.attempts - 1, 5)) * (0.75 + Math.random() / 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), navigator.onLine === false ? 60_000 : delay);
  }

  /** Closes the current socket (it reconnects by itself). */
  drop() {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close();
    this.scheduleRetry();
  }

  reconnectNow() {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  keepAlive() {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENT_LIMIT_MS) {
      this.drop();
      return;
    }
    socket.send(JSON.stringify({ type: 'ping' }));
  }

  /** @param {object} frame sent when the socket is open; dropped otherwise (typing, read). */
  sendFrame(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  stop() {
    this.stopped = true;
    clearInterval(this.pinger);
    clearTimeout(this.retryTimer);
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('online', this.onOnline);
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close();
    this.handlers.status('stopped');
  }
}
