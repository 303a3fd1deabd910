//! The pages mailed links land on, `/verify-email?token=…` and
//! `/reset-password?token=…`: minimal server-rendered forms (no script, a strict
//! Content-Security-Policy) until the web client takes these routes over. Opening a
//! link only shows a form; the token is spent when the form is sent, so a mail
//! scanner that fetches links cannot spend it.

use confab_application::email::EmailService;
use poem::http::{HeaderValue, StatusCode};
use poem::web::{Data, Form, Query};
use poem::{Response, Route, handler};
use serde::Deserialize;

use crate::error::ApiError;

/// No script, no style, no frame; forms post only here.
const CSP: &str = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `?token=…` of a link.
#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The verify form as posted.
#[derive(Deserialize)]
struct VerifyForm {
    #[serde(default)]
    token: String,
}

/// The reset form as posted.
#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
}

/// Adds the pages to `route`; the email service must be in the request data.
pub fn mount(route: Route) -> Route {
    route
        .at("/verify-email", poem::get(verify_page).post(verify_submit))
        .at("/reset-password", poem::get(reset_page).post(reset_submit))
}

/// Escapes text for HTML element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole page around `body` (already HTML).
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · confab</title></head>\n<body>\n<main>\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title),
    );
    let mut response = Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .body(html);
    response
        .headers_mut()
        .insert("content-security-policy", HeaderValue::from_static(CSP));
    response
}

fn failure(error: &ApiError) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "That did not work",
        &format!("<p>{}</p>", escape(error.detail())),
    )
}

#[handler]
fn verify_page(Query(query): Query<TokenQuery>) -> Response {
    page(
        StatusCode::OK,
        "Confirm your email address",
        &format!(
            "<form method=\"post\" action=\"/verify-email\">\n\
             <input type=\"hidden\" name=\"token\" value=\"{}\">\n\
             <button type=\"submit\">Confirm my address</button>\n</form>",
            escape(&query.token)
        ),
    )
}

#[handler]
async fn verify_submit(email: Data<&EmailService>, Form(form): Form<VerifyForm>) -> Response {
    match email.confirm(&form.token).await {
        Ok(user) => page(
            StatusCode::OK,
            "Address confirmed",
            &format!(
                "<p>{} is confirmed. You can close this page.</p>",
                escape(user.email.as_str())
            ),
        ),
        Err(error) => failure(&ApiError::from(error)),
    }
}

#[handler]
fn reset_page(Query(query): Query<TokenQuery>) -> Response {
    page(
        StatusCode::OK,
        "Choose a new password",
        &format!(
            "<form method=\"post\" action=\"/reset-password\">\n\
             <input type=\"hidden\" name=\"token\" value=\"{}\">\n\
             <label for=\"new_password\">New password (8 to 128 characters)</label>\n\
             <input id=\"new_password\" name=\"new_password\" type=\"password\" \
             autocomplete=\"new-password\" minlength=\"8\" maxlength=\"128\" required>\n\
             <button type=\"submit\">Set the new password</button>\n</form>",
            escape(&query.token)
        ),
    )
}

#[handler]
async fn reset_submit(email: Data<&EmailService>, Form(form): Form<ResetForm>) -> Response {
    match email.reset(&form.token, form.new_password).await {
        Ok(()) => page(
            StatusCode::OK,
            "Password changed",
            "<p>Your password is changed and every device was signed out. Sign in again with the new one.</p>",
        ),
        Err(error) => failure(&ApiError::from(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn echoed_text_cannot_leave_its_attribute() {
        assert_eq!(
            escape("\"><script>alert('x')</script>&"),
            "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
        );
    }
}
