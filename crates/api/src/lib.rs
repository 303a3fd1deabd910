//! confab's HTTP and WebSocket edge: poem-openapi endpoints, DTOs, the one error
//! shape, and the realtime gateway. Depends on application and domain only.

pub mod app;
pub mod asyncapi;
pub mod docs;
pub mod dto;
pub mod endpoints;
pub mod error;
pub mod json;
pub mod middleware;
pub mod security;
pub mod spec;
pub mod state;
pub mod ws;
