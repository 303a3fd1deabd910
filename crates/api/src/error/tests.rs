//! Unit tests of the error shape.

use confab_application::FieldError;
use poem::error::ResponseError;

use super::*;

async fn body_of(error: &ApiError) -> serde_json::Value {
    let body = error.as_response().into_body().into_string().await;
    serde_json::from_str(&body.expect("utf-8")).expect("json")
}

#[tokio::test]
async fn validation_errors_name_each_field() {
    let error = ApiError::from(ValidationErrors(vec![
        FieldError {
            field: "username",
            message: "must be at least 3 characters".into(),
        },
        FieldError {
            field: "email",
            message: "must be an email".into(),
        },
    ]));
    let response = error.as_response();
    assert_eq!(response.status(), 422);
    assert_eq!(response.content_type(), Some("application/json"));
    let body = body_of(&error).await;
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["status"], 422);
    assert_eq!(body["errors"][1]["field"], "email");
}

#[tokio::test]
async fn internal_errors_hide_their_cause() {
    let cause = std::io::Error::other("SELECT * FROM users: connection reset");
    let error = ApiError::internal(&cause);
    let body = body_of(&error).await;
    assert_eq!(body["status"], 500);
    assert_eq!(body["code"], "internal");
    assert!(!body.to_string().contains("SELECT"), "{body}");
    assert!(body.get("errors").is_none());
}

#[tokio::test]
async fn query_refusals_are_400_and_405_lists_allowed_methods() {
    let error = ApiError::bad_query(ValidationErrors::single("limit", "too big"));
    assert_eq!(body_of(&error).await["status"], 400);
    let response = ApiError::method_not_allowed(&["GET".into(), "HEAD".into()]).as_response();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
}
