//! Event buses: the fast path that carries committed chat changes to every socket.

mod in_process;
mod redis;

pub use self::redis::{DEFAULT_CHANNEL, RedisBusError, RedisEventBus};
pub use in_process::InProcessEventBus;
