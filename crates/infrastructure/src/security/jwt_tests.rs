//! Tests of the JWT service, including hand-forged tokens it must refuse.

use chrono::TimeDelta;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::*;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn service() -> JwtTokenService {
    JwtTokenService::new(SECRET, 900, 2_592_000).expect("valid config")
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).expect("valid")
}

/// Unpadded base64url, enough to forge token segments by hand.
fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0_u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn valid_claims() -> serde_json::Value {
    json!({
        "sub": UserId::generate().to_string(),
        "sid": SessionId::generate().to_string(),
        "iat": now().timestamp(),
        "exp": now().timestamp() + 900,
        "iss": "confab",
        "aud": "confab-api",
    })
}

fn signed(alg: Algorithm, claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(SECRET))
        .expect("encode")
}

#[test]
fn issued_token_round_trips_with_its_claims() {
    let (user, session) = (UserId::generate(), SessionId::generate());
    let issued = service().issue_access(user, session, now()).expect("issue");
    assert_eq!(issued.expires_in, 900);
    let claims = service()
        .verify_access(&issued.token, now() + TimeDelta::seconds(899))
        .expect("valid");
    assert_eq!(claims.user_id, user);
    assert_eq!(claims.session_id, session);
    assert_eq!(claims.expires_at, now() + TimeDelta::seconds(900));
}

#[test]
fn token_is_refused_from_its_expiry_on_without_leeway() {
    let issued = service()
        .issue_access(UserId::generate(), SessionId::generate(), now())
        .expect("issue");
    let at_expiry = now() + TimeDelta::seconds(900);
    assert!(matches!(
        service().verify_access(&issued.token, at_expiry),
        Err(TokenError::Invalid)
    ));
}

#[test]
fn alg_none_is_refused() {
    let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64url(valid_claims().to_string().as_bytes());
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        assert!(service().verify_access(&token, now()).is_err(), "{token}");
    }
}

#[test]
fn other_algorithms_with_the_same_secret_are_refused() {
    // Control: the same claims signed with HS256 pass, so only the algorithm differs.
    assert!(
        service()
            .verify_access(&signed(Algorithm::HS256, &valid_claims()), now())
            .is_ok()
    );
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let token = signed(alg, &valid_claims());
        assert!(service().verify_access(&token, now()).is_err(), "{alg:?}");
    }
}

#[test]
fn header_swapped_to_another_algorithm_is_refused() {
    let token = signed(Algorithm::HS256, &valid_claims());
    let (_, rest) = token.split_once('.').expect("three parts");
    let forged = format!("{}.{rest}", b64url(br#"{"alg":"HS512","typ":"JWT"}"#));
    assert!(service().verify_access(&forged, now()).is_err());
}

#[test]
fn wrong_issuer_audience_secret_or_tampering_is_refused() {
    let mut wrong_iss = valid_claims();
    wrong_iss["iss"] = json!("someone-else");
    let mut wrong_aud = valid_claims();
    wrong_aud["aud"] = json!("other-api");
    let mut no_exp = valid_claims();
    no_exp.as_object_mut().expect("object").remove("exp");
    for claims in [wrong_iss, wrong_aud, no_exp] {
        let token = signed(Algorithm::HS256, &claims);
        assert!(service().verify_access(&token, now()).is_err(), "{claims}");
    }
    let other_secret = JwtTokenService::new(&[7; 32], 900, 60).expect("valid");
    let foreign = other_secret
        .issue_access(UserId::generate(), SessionId::generate(), now())
        .expect("issue");
    assert!(service().verify_access(&foreign.token, now()).is_err());
    let token = signed(Algorithm::HS256, &valid_claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut tampered = valid_claims();
    tampered["sub"] = json!(UserId::generate().to_string());
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64url(tampered.to_string().as_bytes()),
        parts[2]
    );
    assert!(service().verify_access(&forged, now()).is_err());
    assert!(service().verify_access("not.a.jwt", now()).is_err());
}

#[test]
fn short_secret_and_bad_lifetimes_are_config_errors() {
    assert_eq!(
        JwtTokenService::new(&[1; 31], 900, 60).err(),
        Some(JwtConfigError::SecretTooShort(31))
    );
    assert_eq!(
        JwtTokenService::new(SECRET, 0, 60).err(),
        Some(JwtConfigError::NonPositiveTtl)
    );
}

#[test]
fn refresh_tokens_are_random_256_bit_and_hashed_with_sha256() {
    let service = service();
    let (first, first_hash) = service.new_refresh_token();
    let (second, _) = service.new_refresh_token();
    assert_eq!(first.0.len(), 64, "32 bytes, hex encoded");
    assert_ne!(first, second);
    assert_eq!(service.hash_refresh_token(&first.0), first_hash);
    assert_ne!(first_hash.0, first.0, "only the hash is stored");
    // SHA-256 of "abc", a published test vector.
    assert_eq!(
        service.hash_refresh_token("abc").0,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(service.refresh_ttl_seconds(), 2_592_000);
}
