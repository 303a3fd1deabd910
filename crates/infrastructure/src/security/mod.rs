//! Security adapters: argon2id password hashing and HS256 JWT access tokens with
//! random, hashed refresh tokens.

mod argon2_hasher;
mod jwt;

pub use argon2_hasher::Argon2PasswordHasher;
pub use jwt::{JwtConfigError, JwtTokenService};
