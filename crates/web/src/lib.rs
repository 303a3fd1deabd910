//! confab's web client: the single-page application under `assets/`, compiled into
//! the binary by `build.rs`, and [`WebClient`], the endpoint the server mounts at `/`.
//!
//! It answers only two kinds of path, so it never shadows the API or the operations
//! routes: an embedded file (`/web/app.js`), and the client's own page routes
//! ([`is_client_route`]: `/`, `/chats/{id}`, `/profile`, …), which all get
//! `index.html` so a reload or a shared link opens the right page. Anything else is
//! a 404 for the caller to shape. Every answer carries a strict
//! Content-Security-Policy (scripts, styles and connections from this origin only,
//! nothing inline) and an `ETag`, revalidated on each load (`Cache-Control: no-cache`).

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, Request, Response};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The policy of every page and asset: this origin only, nothing inline, no
/// plugins, no framing, no form posts (the client sends JSON with `fetch`).
/// Images may also be `blob:` URLs: the file routes need the bearer token, so the
/// client fetches avatars, thumbnails and images itself and shows the bytes
/// through object URLs (docs/web.md, "Files"). `files_origin` is where downloads
/// are redirected when it is not this origin (an S3 bucket's presigned URLs): the
/// client's `fetch` may connect there too, and nowhere else.
pub fn content_security_policy(files_origin: Option<&str>) -> String {
    let connect = match files_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; \
         connect-src {connect}; font-src 'self'; manifest-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// The first path segments of the client's pages (routed in the browser by
/// `web/router.js`); `""` is `/` itself. `verify-email` and `reset-password` are
/// where the links in mails land.
const PAGES: [&str; 11] = [
    "",
    "login",
    "register",
    "forgot-password",
    "reset-password",
    "verify-email",
    "chats",
    "new",
    "profile",
    "sessions",
    "admin",
];

/// The pages with a second segment: `/chats/{id}`, `/admin/{section}`.
const PAGES_WITH_A_SECOND_SEGMENT: [&str; 2] = ["chats", "admin"];

/// The templates of every path the client answers, for metrics labels (the
/// [`is_client_route`] pages, then the files: `/index.html`, `/web/…`).
pub const ROUTE_TEMPLATES: [&str; 16] = [
    "/",
    "/login",
    "/register",
    "/forgot-password",
    "/reset-password",
    "/verify-email",
    "/chats",
    "/chats/{id}",
    "/admin",
    "/admin/{section}",
    "/new",
    "/profile",
    "/sessions",
    "/index.html",
    "/web/{file}",
    "/web/vendor/{file}",
];

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Its URL path, e.g. `/web/app.js`.
    pub path: &'static str,
    /// Its content.
    pub bytes: &'static [u8],
    /// Its entity tag (a hash of the content, quoted).
    pub etag: &'static str,
}

impl Asset {
    /// The `Content-Type` for the file's extension.
    pub fn content_type(&self) -> &'static str {
        match self.path.rsplit_once('.').map_or("", |(_, ext)| ext) {
            "html" => "text/html; charset=utf-8",
            "js" | "mjs" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "json" | "webmanifest" => "application/json",
            "txt" => "text/plain; charset=utf-8",
            _ => "application/octet-stream",
        }
    }
}

/// Every embedded file.
pub fn assets() -> impl Iterator<Item = Asset> {
    ASSETS
        .iter()
        .map(|&(path, bytes, etag)| Asset { path, bytes, etag })
}

/// The embedded file at `path`, if any.
pub fn asset(path: &str) -> Option<Asset> {
    assets().find(|asset| asset.path == path)
}

/// The total size of the embedded files, in bytes (what the client adds to the binary).
pub fn total_size() -> usize {
    ASSETS.iter().map(|(_, bytes, _)| bytes.len()).sum()
}

/// Whether `path` is one of the client's page routes: `/`, `/login`, `/chats`,
/// `/chats/{id}`, `/admin/users`, … (at most two segments, the first one of the
/// client's pages; a second only under `/chats` and `/admin`).
pub fn is_client_route(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let mut segments = rest.split('/');
    let first = segments.next().unwrap_or_default();
    let second = segments.next();
    let deeper = segments.next().is_some();
    PAGES.contains(&first)
        && !deeper
        && second.is_none_or(|s| !s.is_empty() && PAGES_WITH_A_SECOND_SEGMENT.contains(&first))
}

/// The web client's endpoint: embedded files and page routes, GET and HEAD.
#[derive(Debug, Clone)]
pub struct WebClient {
    policy: HeaderValue,
}

impl Default for WebClient {
    fn default() -> Self {
        Self::new(None)
    }
}

impl WebClient {
    /// The client, allowed to fetch files from `files_origin` besides its own
    /// origin (see [`content_security_policy`]). An origin that is not a valid
    /// header value is left out.
    pub fn new(files_origin: Option<&str>) -> Self {
        let policy = HeaderValue::from_str(&content_security_policy(files_origin))
            .or_else(|_| HeaderValue::from_str(&content_security_policy(None)))
            // Never taken (the policy is plain ASCII); the strictest one if it were.
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
        Self { policy }
    }

    /// What the client answers for `method` and `path`, or `None` when the path is
    /// not its own (the caller answers 404 in its own shape).
    pub fn answer(
        &self,
        method: &Method,
        path: &str,
        if_none_match: Option<&str>,
    ) -> Option<Response> {
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        let asset = match asset(path) {
            Some(asset) => asset,
            None if is_client_route(path) => asset("/index.html")?,
            None => return None,
        };
        let builder = Response::builder()
            .header(header::CONTENT_SECURITY_POLICY, self.policy.clone())
            .header(header::CACHE_CONTROL, "no-cache")
            .header(header::ETAG, HeaderValue::from_static(asset.etag));
        if if_none_match.is_some_and(|tags| tags.split(',').any(|t| t.trim() == asset.etag)) {
            return Some(builder.status(StatusCode::NOT_MODIFIED).finish());
        }
        Some(builder.content_type(asset.content_type()).body(asset.bytes))
    }
}

impl Endpoint for WebClient {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let if_none_match = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok());
        self.answer(req.method(), req.uri().path(), if_none_match)
            .ok_or_else(|| poem::error::NotFoundError.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_pages_are_routes_and_nothing_else_is() {
        for page in [
            "/",
            "/login",
            "/register",
            "/chats",
            "/chats/0190a1b2-0000-7000-8000-000000000000",
            "/new",
            "/profile",
            "/sessions",
            "/forgot-password",
            "/reset-password",
            "/verify-email",
            "/admin",
            "/admin/users",
        ] {
            assert!(is_client_route(page), "{page}");
        }
        for other in [
            "",
            "/api/v1/me",
            "/docs",
            "/openapi.json",
            "/health",
            "/ready",
            "/metrics",
            "/nowhere",
            "/chats/",
            "/chats/a/b",
            "/profile/x",
            "/login/",
            "/admin/",
            "/admin/users/x",
            "/verify-email/x",
        ] {
            assert!(!is_client_route(other), "{other}");
        }
    }

    #[test]
    fn every_page_and_file_has_a_route_template() {
        let depth = |path: &str| path.split('/').filter(|s| !s.is_empty()).count();
        let covered = |path: &str| {
            ROUTE_TEMPLATES.iter().any(|template| {
                depth(template) == depth(path)
                    && template
                        .split('/')
                        .zip(path.split('/'))
                        .all(|(t, p)| t == p || t.starts_with('{'))
            })
        };
        for page in PAGES {
            assert!(covered(&format!("/{page}")), "{page}");
        }
        for page in PAGES_WITH_A_SECOND_SEGMENT {
            assert!(covered(&format!("/{page}/x")), "{page}");
        }
        for asset in assets() {
            assert!(covered(asset.path), "{}", asset.path);
        }
    }

    #[test]
    fn a_page_route_gets_the_index_with_the_strict_policy() {
        let response = WebClient::default()
            .answer(&Method::GET, "/chats/some-id", None)
            .expect("a page answer");
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("text/html; charset=utf-8")
        );
        let policy = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .expect("a policy");
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(!policy.contains("unsafe"), "{policy}");
        // Images from this origin and the client's own object URLs, nothing else
        // (no `data:`, no other host).
        assert!(policy.contains("img-src 'self' blob:;"), "{policy}");
    }

    #[test]
    fn a_files_origin_may_be_fetched_from_and_nothing_else() {
        let policy = |client: WebClient| {
            let response = client.answer(&Method::GET, "/", None).expect("the index");
            response
                .headers()
                .get(header::CONTENT_SECURITY_POLICY)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .expect("a policy")
        };
        let bucket = policy(WebClient::new(Some("https://s3.eu-west-1.amazonaws.com")));
        assert!(
            bucket.contains("connect-src 'self' https://s3.eu-west-1.amazonaws.com;"),
            "{bucket}"
        );
        assert!(bucket.contains("img-src 'self' blob:;"), "{bucket}");
        let own = policy(WebClient::default());
        assert!(own.contains("connect-src 'self';"), "{own}");
    }

    #[test]
    fn an_unknown_path_or_method_is_left_to_the_caller() {
        assert!(
            WebClient::default()
                .answer(&Method::GET, "/web/missing.js", None)
                .is_none()
        );
        assert!(
            WebClient::default()
                .answer(&Method::GET, "/api/v1/chats", None)
                .is_none()
        );
        assert!(
            WebClient::default()
                .answer(&Method::POST, "/", None)
                .is_none()
        );
    }

    #[test]
    fn a_known_etag_gets_304() {
        let index = asset("/index.html").expect("the index is embedded");
        let response = WebClient::default()
            .answer(&Method::GET, "/", Some(index.etag))
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    }

    #[test]
    fn the_index_has_no_inline_script_or_style() {
        let index = asset("/index.html").expect("the index is embedded");
        let html = std::str::from_utf8(index.bytes).expect("UTF-8");
        for script in html.match_indices("<script").map(|(at, _)| &html[at..]) {
            let tag = &script[..script.find('>').expect("tag end")];
            assert!(tag.contains(" src="), "an inline script: {tag}");
        }
        assert!(!html.contains("<style"), "an inline stylesheet");
        assert!(!html.contains("style="), "an inline style attribute");
    }

    #[test]
    fn every_asset_has_a_known_content_type() {
        for asset in assets() {
            assert_ne!(
                asset.content_type(),
                "application/octet-stream",
                "{}",
                asset.path
            );
        }
        assert!(total_size() > 0);
    }
}
