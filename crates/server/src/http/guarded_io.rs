//! A connection's byte stream as hyper reads and writes it, guarded:
//!
//! - reads enforce the head deadline of [`HeadWatch`]: when it passes, a request
//!   that had begun is answered `408 request_timeout`, and hyper then sees the end
//!   of the stream and closes (a connection that never began a request is closed
//!   without an answer);
//! - writes replace hyper's bare error heads (400, 431: a head that does not parse)
//!   with answers in the error shape.
//!
//! A request being served has no deadline here (its body has its own, in the api
//! crate), nor does an upgraded WebSocket, which keeps its own heartbeat.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use super::answers;
use super::head_watch::{HeadDeadline, HeadWatch};

/// The guarded stream around `S` (a `TcpStream`).
pub(super) struct GuardedIo<S> {
    inner: S,
    watch: Arc<HeadWatch>,
    /// Wakes the connection at the head deadline.
    alarm: Pin<Box<Sleep>>,
    /// Bytes of our own, written before anything else hyper writes or flushes.
    own: Vec<u8>,
    /// How much of `own` is written.
    own_written: usize,
    /// The head deadline passed: reads end the stream once `own` is written.
    expired: bool,
}

impl<S> GuardedIo<S> {
    /// Guards `inner`, with head deadlines from `watch`.
    pub(super) fn new(inner: S, watch: Arc<HeadWatch>) -> Self {
        Self {
            inner,
            watch,
            alarm: Box::pin(tokio::time::sleep_until(Instant::now())),
            own: Vec::new(),
            own_written: 0,
            expired: false,
        }
    }

    fn expire(&mut self, deadline: HeadDeadline) {
        self.expired = true;
        if deadline.request_started {
            tracing::debug!("request head not in time: answering 408 and closing");
            self.own = answers::head_timed_out(self.watch.header_timeout());
            self.own_written = 0;
        } else {
            tracing::debug!("connection idle too long: closing");
        }
    }
}

impl<S: AsyncWrite + Unpin> GuardedIo<S> {
    /// Writes what is left of `own`.
    fn poll_write_own(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.own_written < self.own.len() {
            let rest = &self.own[self.own_written..];
            let written = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.own_written += written;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `bytes` in place of a bare error head of hyper's; `false` for anything
    /// else. Only while hyper waits for a head: then it has no answer of ours to write.
    fn replace_bare_head(&mut self, bytes: &[u8]) -> bool {
        if !self.watch.waiting_for_head() {
            return false;
        }
        let Some(answer) = answers::instead_of_bare_head(bytes) else {
            return false;
        };
        tracing::debug!("request head refused: answering in the error shape");
        self.own = answer;
        self.own_written = 0;
        true
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for GuardedIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.expired {
                ready!(this.poll_write_own(cx))?;
                ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
                return Poll::Ready(Ok(()));
            }
            let deadline = this.watch.deadline();
            if let Some(deadline) = deadline {
                if Instant::now() >= deadline.at {
                    this.expire(deadline);
                    continue;
                }
                if this.alarm.deadline() != deadline.at {
                    this.alarm.as_mut().reset(deadline.at);
                }
            }
            let before = buf.filled().len();
            match Pin::new(&mut this.inner).poll_read(cx, buf) {
                Poll::Ready(Ok(())) => {
                    if buf.filled().len() > before {
                        this.watch.bytes_arrived();
                    }
                    return Poll::Ready(Ok(()));
                }
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => {
                    if deadline.is_some() && this.alarm.as_mut().poll(cx).is_ready() {
                        continue;
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for GuardedIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_write_own(cx))?;
        if this.replace_bare_head(buf) {
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_write_own(cx))?;
        // hyper queues a bare error head alone, with no body after it.
        let mut filled = bufs.iter().filter(|buf| !buf.is_empty());
        if let (Some(only), None) = (filled.next(), filled.next())
            && this.replace_bare_head(only)
        {
            return Poll::Ready(Ok(only.len()));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_own(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_own(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
