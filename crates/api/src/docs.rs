//! `/docs` and `/redoc`: Swagger UI and ReDoc as poem-openapi bundles them (everything inline, so it works
//! offline), served with a Content-Security-Policy that lets the page use exactly its
//! own inline scripts and stylesheet, named by their SHA-256 hashes, and nothing else:
//! no `unsafe-inline`, no other origin. The hashes are computed once at start from
//! the page itself, so a new poem-openapi bundle cannot silently break or widen them.
//! (Checked in headless Chromium: the page renders, "Try it out" sends its request,
//! and the console reports no violation.)

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use poem::endpoint::make_sync;
use poem::http::header;
use poem::middleware::Compression;
use poem::web::Html;
use poem::{Endpoint, EndpointExt, IntoResponse, Route};
use sha2::{Digest, Sha256};

/// The Swagger UI page poem-openapi rendered (`page`, embedding its own document
/// `raw_spec`), showing the finished document `spec` instead and remembering the
/// bearer token across reloads (`persistAuthorization`).
pub fn swagger_page(page: &str, raw_spec: &str, spec: &str) -> String {
    page.replacen(raw_spec, spec, 1).replacen(
        "deepLinking: true,",
        "deepLinking: true,\n        persistAuthorization: true,",
        1,
    )
}

/// The ReDoc page poem-openapi rendered (`page`, embedding `raw_spec`), showing the
/// finished document `spec`, without the web-font stylesheet its template links
/// from Google (the page uses the system fonts and fetches nothing from elsewhere).
pub fn redoc_page(page: &str, raw_spec: &str, spec: &str) -> String {
    let page = page.replacen(raw_spec, spec, 1);
    page.lines()
        .filter(|line| !line.contains("fonts.googleapis.com"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which page is served, for what its policy must allow beyond its own inline
/// scripts and stylesheets (by hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Swagger UI: nothing more.
    SwaggerUi,
    /// ReDoc: the styles its script builds in the browser (no hash can name them)
    /// and its search worker, which it starts from a `blob:` of its own script.
    /// Scripts of the page itself stay limited to its own, by hash.
    Redoc,
}

/// The endpoint serving `html` (the Swagger UI or ReDoc page) at `/` of its nest,
/// compressed when the client accepts it (the pages embed megabytes of script).
pub fn endpoint(html: String, page: Page) -> impl Endpoint {
    let policy = content_security_policy(&html, page);
    Route::new()
        .at(
            "/",
            make_sync(move |_| {
                Html(html.clone())
                    .with_header(header::CONTENT_SECURITY_POLICY, policy.clone())
                    .into_response()
            }),
        )
        .with(Compression::new())
}

/// The policy for `html`: its inline scripts and styles by hash; images from the
/// page or `data:` URIs (its icons); requests ("Try it out") to this server only.
fn content_security_policy(html: &str, page: Page) -> String {
    let (style_src, worker_src) = match page {
        Page::SwaggerUi => (hashes(inline_elements(html, "style")), ""),
        Page::Redoc => ("'unsafe-inline'".to_owned(), " worker-src blob:;"),
    };
    format!(
        "default-src 'none'; script-src {}; style-src {style_src};{worker_src} \
         img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'",
        hashes(inline_elements(html, "script")),
    )
}

/// `'sha256-…'` sources for `texts`, space-separated.
fn hashes<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    texts
        .map(|text| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(text))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of each inline `<tag>` element, exactly as the browser hashes it: from
/// the end of the opening tag to the first `</tag`, which ends script and style data
/// in HTML (the bundle itself holds the text `<script` in strings, so splitting on
/// opening tags would cut it short).
fn inline_elements<'a>(html: &'a str, tag: &str) -> impl Iterator<Item = &'a str> {
    let (open_tag, close_tag) = (format!("<{tag}"), format!("</{tag}"));
    let mut rest = html;
    std::iter::from_fn(move || {
        let open = rest.find(&open_tag)?;
        let body_start = open + rest[open..].find('>')? + 1;
        let body_len = rest[body_start..].find(&close_tag)?;
        let body = &rest[body_start..body_start + body_len];
        rest = &rest[body_start + body_len..];
        Some(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_swagger_page_shows_the_finished_spec_and_keeps_the_token() {
        let page =
            "<script>let spec = {\"raw\":1};\nSwaggerUIBundle({deepLinking: true,})</script>";
        let finished = swagger_page(page, "{\"raw\":1}", "{\"done\":1}");
        assert!(finished.contains("let spec = {\"done\":1};"), "{finished}");
        assert!(
            finished.contains("persistAuthorization: true,"),
            "{finished}"
        );
    }

    #[test]
    fn the_redoc_page_shows_the_finished_spec_and_fetches_no_font() {
        let page = "<link href=\"https://fonts.googleapis.com/css?f=x\" rel=\"stylesheet\">\n\
                    <script>let spec = {\"raw\":1};</script>";
        let finished = redoc_page(page, "{\"raw\":1}", "{\"done\":1}");
        assert_eq!(finished, "<script>let spec = {\"done\":1};</script>");
    }

    #[test]
    fn each_inline_script_and_style_is_allowed_by_its_hash_and_nothing_else() {
        let page = "<html><style>p{}</style><script charset=\"UTF-8\">one(\"<script>\")\
                    </script><p>x</p><script>\n two() \n</script></html>";
        let policy = content_security_policy(page, Page::SwaggerUi);
        let source = |text: &str| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(text)));
        let directive = |name: &str| {
            policy
                .split(';')
                .map(str::trim)
                .find(|d| d.starts_with(name))
                .unwrap_or_else(|| panic!("{name} in {policy}"))
                .to_owned()
        };
        assert_eq!(
            directive("script-src"),
            format!(
                "script-src {} {}",
                source("one(\"<script>\")"),
                source("\n two() \n")
            )
        );
        assert_eq!(
            directive("style-src"),
            format!("style-src {}", source("p{}"))
        );
        assert!(policy.starts_with("default-src 'none'"), "{policy}");
    }
}
