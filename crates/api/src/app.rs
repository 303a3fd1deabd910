//! Assembles the edge: the `#[OpenApi]` structs, the spec (from static metadata, so
//! `confab openapi` needs no database), `/docs`, `/openapi.json`, `/asyncapi.json`
//! (the WebSocket's AsyncAPI document), and the layers.
//!
//! To add a resource: write its `#[OpenApi]` struct in `endpoints/`, add it to
//! [`Apis`] and construct it in [`apis`]. Nothing else changes: the spec, the route
//! table (metrics labels, `Allow` headers) and the docs follow from `Apis`.
//!
//! The server may hand in [`Pages`] (the web client): they answer first, inside the
//! same layers (security headers, metrics, error shape), and only for the paths they
//! claim; every other request reaches the API as before.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use poem::endpoint::{BoxEndpoint, make_sync};
use poem::http::Method;
use poem::middleware::Compression;
use poem::{Endpoint, EndpointExt, Request, Response, Route};
use poem_openapi::registry::{MetaApi, Registry};
use poem_openapi::{LicenseObject, OpenApi, OpenApiService, ServerObject};

use crate::endpoints::admin::AdminApi;
use crate::endpoints::auth::AuthApi;
use crate::endpoints::avatars::AvatarsApi;
use crate::endpoints::chats::ChatsApi;
use crate::endpoints::email::EmailApi;
use crate::endpoints::files::FilesApi;
use crate::endpoints::files::UPLOADS_PATH;
use crate::endpoints::messages::MessagesApi;
use crate::endpoints::operations::OperationsApi;
use crate::endpoints::profiles::ProfilesApi;
use crate::endpoints::sessions::SessionsApi;
use crate::middleware::body_limit::{BodyLimit, MAX_BODY_BYTES};
use crate::middleware::body_timeout::BodyTimeout;
use crate::middleware::errors::ShapeErrors;
use crate::middleware::metrics::HttpMetrics;
use crate::middleware::rate_limit::AuthRateLimit;
use crate::middleware::request_id::RequestIds;
use crate::middleware::routes::RouteTable;
use crate::middleware::security_headers::SecurityHeaders;
use crate::middleware::uri_limit::UriLimit;
use crate::state::ApiState;
use crate::ws::WsApi;
use crate::{asyncapi, docs, spec};

/// Every `#[OpenApi]` struct served, in spec order.
pub type Apis = (
    OperationsApi,
    AuthApi,
    EmailApi,
    SessionsApi,
    ProfilesApi,
    AvatarsApi,
    ChatsApi,
    MessagesApi,
    FilesApi,
    WsApi,
    AdminApi,
);

/// Builds the API structs from the services.
fn apis(state: &ApiState) -> Apis {
    (
        OperationsApi::new(state.operations.clone()),
        AuthApi::new(state.accounts.clone()),
        EmailApi::new(state.email.clone()),
        SessionsApi::new(state.accounts.clone()),
        ProfilesApi::new(state.profiles.clone(), state.admin.clone()),
        AvatarsApi::new(state.profiles.clone()),
        ChatsApi::new(state.chats.clone()),
        MessagesApi::new(
            state.messages.clone(),
            state.rate_limits.send_per_user.clone(),
        ),
        FilesApi::new(state.files.clone()),
        WsApi::new(state.realtime.clone()),
        AdminApi::new(state.admin.clone(), state.realtime.clone()),
    )
}

/// Stands in for `T` when only its metadata is needed: the spec of a set of APIs
/// depends on their types, never on the services inside them.
struct SpecOnly<T>(PhantomData<T>);

impl<T: OpenApi> OpenApi for SpecOnly<T> {
    fn meta() -> Vec<MetaApi> {
        T::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, _routes: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {}
}

fn service<T: OpenApi>(apis: T) -> OpenApiService<T, ()> {
    OpenApiService::new(apis, "confab", env!("CARGO_PKG_VERSION"))
        .description(
            "The confab messenger API. Every error is `{status, code, title, detail, errors?}`; \
             protected routes take `Authorization: Bearer <access_token>`.",
        )
        .license(LicenseObject::new(env!("CARGO_PKG_LICENSE")))
        // Relative: clients call the origin they fetched the document from.
        .server(ServerObject::new("/").description("This server"))
}

/// The OpenAPI document, exactly as `/openapi.json` serves it and
/// `openapi/openapi.json` holds it.
pub fn spec_json() -> String {
    spec::finish(&service(SpecOnly::<Apis>(PhantomData)).spec())
}

/// The AsyncAPI document of the WebSocket, exactly as `/asyncapi.json` serves it and
/// `openapi/asyncapi.json` holds it.
pub fn asyncapi_json() -> String {
    asyncapi::document_json(env!("CARGO_PKG_VERSION"))
}

/// Every route, for metrics labels and `Allow` headers: the API's, the docs', and
/// those of `pages`.
fn route_table(pages: Option<&Pages>) -> RouteTable {
    let mut table = RouteTable::from_meta(&Apis::meta());
    table.add("/openapi.json", Method::GET);
    table.add("/docs", Method::GET);
    table.add("/asyncapi.json", Method::GET);
    table.add("/redoc", Method::GET);
    for template in pages.map_or(&[][..], |pages| pages.routes) {
        table.add(template, Method::GET);
    }
    table
}

/// The answer of [`Pages`] for a request whose path they own, or `None` to pass it
/// on to the API. It must never claim a path of the API or the operations routes.
pub type PageAnswer = Arc<dyn Fn(&Request) -> Option<Response> + Send + Sync>;

/// Pages served beside the API (the web client).
#[derive(Clone)]
pub struct Pages {
    /// What they answer.
    pub answer: PageAnswer,
    /// The templates of the paths it answers (GET), for metrics labels.
    pub routes: &'static [&'static str],
}

/// Asks [`Pages`] first, then the API.
struct WithPages<E> {
    pages: Option<Pages>,
    api: E,
}

impl<E: Endpoint> Endpoint for WithPages<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if let Some(page) = self.pages.as_ref().and_then(|pages| (pages.answer)(&req)) {
            return Ok(page);
        }
        self.api
            .call(req)
            .await
            .map(poem::IntoResponse::into_response)
    }
}

/// The whole HTTP application: API routes, docs and spec, and `pages` when given,
/// wrapped in the security headers, request ids, metrics, the error-shaping layer,
/// the URI limit, and the body timeout (`body_timeout`) and limit.
pub fn endpoint(
    state: ApiState,
    body_timeout: Duration,
    pages: Option<Pages>,
) -> impl Endpoint<Output = Response> {
    let routes = Arc::new(route_table(pages.as_ref()));
    let api = service(apis(&state));
    let spec = spec_json();
    let served_spec = spec.clone();
    let openapi_json = make_sync(move |_| {
        Response::builder()
            .content_type("application/json")
            .body(served_spec.clone())
    });
    let served_asyncapi = asyncapi_json();
    let asyncapi_json = make_sync(move |_| {
        Response::builder()
            .content_type("application/json")
            .body(served_asyncapi.clone())
    });
    let auth_limit = AuthRateLimit {
        limit: state.rate_limits.auth_per_ip.clone(),
        trust_proxy: state.rate_limits.trust_proxy,
    };
    let api = Route::new()
        .nest(
            "/docs",
            docs::endpoint(
                docs::swagger_page(
                    &api.swagger_ui_html(),
                    &api.spec(),
                    &spec::for_swagger(&spec),
                ),
                docs::Page::SwaggerUi,
            ),
        )
        .nest(
            "/redoc",
            docs::endpoint(
                docs::redoc_page(&api.redoc_html(), &api.spec(), &spec),
                docs::Page::Redoc,
            ),
        )
        .at(
            "/openapi.json",
            poem::get(openapi_json).with(Compression::new()),
        )
        .at("/asyncapi.json", poem::get(asyncapi_json))
        .nest("/", api);
    WithPages { pages, api }
        .with(BodyLimit::new(MAX_BODY_BYTES).except(Method::POST, UPLOADS_PATH))
        .with(BodyTimeout::new(body_timeout))
        .with(UriLimit)
        .data(auth_limit)
        .data(state.accounts.clone())
        .data(state)
        .with(ShapeErrors::new(Arc::clone(&routes)))
        .with(HttpMetrics::new(routes))
        .with(RequestIds)
        .with(SecurityHeaders)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_page_embeds_the_served_spec_and_persists_authorization() {
        let api = service(SpecOnly::<Apis>(PhantomData));
        let page = docs::swagger_page(&api.swagger_ui_html(), &api.spec(), &spec_json());
        assert!(page.contains(&spec_json()));
        assert!(!page.contains(&api.spec()));
        assert!(page.contains("persistAuthorization: true,"));
    }
}
