//! The table of route templates and their methods, built once from the OpenAPI
//! metadata: it names the route in metrics (the template, never the raw path) and
//! fills the `Allow` header of a 405.

use poem::http::Method;
use poem_openapi::registry::MetaApi;

/// One route: its template (`/api/v1/users/{id}`) split into segments, and methods.
#[derive(Debug, Clone)]
struct RouteEntry {
    template: String,
    segments: Vec<Segment>,
    methods: Vec<Method>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Static(String),
    Param,
}

/// Every route the server answers.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<RouteEntry>,
}

impl RouteTable {
    /// Builds the table from the metadata of the `#[OpenApi]` structs.
    pub fn from_meta(apis: &[MetaApi]) -> Self {
        let mut table = Self::default();
        for path in apis.iter().flat_map(|api| api.paths.iter()) {
            for operation in &path.operations {
                table.add(&path.path, operation.method.clone());
            }
        }
        table
    }

    /// Adds one method of a template (for routes outside the spec, e.g. `/docs`).
    pub fn add(&mut self, template: &str, method: Method) {
        if let Some(entry) = self.routes.iter_mut().find(|r| r.template == template) {
            if !entry.methods.contains(&method) {
                entry.methods.push(method);
            }
            return;
        }
        let segments = split(template)
            .map(|s| {
                if s.starts_with('{') && s.ends_with('}') {
                    Segment::Param
                } else {
                    Segment::Static(s.to_owned())
                }
            })
            .collect();
        self.routes.push(RouteEntry {
            template: template.to_owned(),
            segments,
            methods: vec![method],
        });
    }

    /// The template matching `path` (static segments win over parameters).
    pub fn template(&self, path: &str) -> Option<&str> {
        self.find(path).map(|entry| entry.template.as_str())
    }

    /// The methods `path` allows, for the `Allow` header; `HEAD` comes with `GET`.
    pub fn allowed(&self, path: &str) -> Vec<String> {
        let Some(entry) = self.find(path) else {
            return Vec::new();
        };
        let mut methods: Vec<String> = entry.methods.iter().map(ToString::to_string).collect();
        if entry.methods.contains(&Method::GET) && !entry.methods.contains(&Method::HEAD) {
            methods.push(Method::HEAD.to_string());
        }
        methods
    }

    fn find(&self, path: &str) -> Option<&RouteEntry> {
        let parts: Vec<&str> = split(path).collect();
        self.routes
            .iter()
            .filter(|entry| {
                entry.segments.len() == parts.len()
                    && entry
                        .segments
                        .iter()
                        .zip(&parts)
                        .all(|(seg, part)| match seg {
                            Segment::Static(s) => s == part,
                            Segment::Param => !part.is_empty(),
                        })
            })
            .max_by_key(|entry| {
                entry
                    .segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Static(_)))
                    .count()
            })
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        let mut table = RouteTable::default();
        table.add("/api/v1/users/{id}", Method::GET);
        table.add("/api/v1/me", Method::GET);
        table.add("/api/v1/me", Method::PATCH);
        table.add("/api/v1/chats/{id}/members/{user_id}", Method::DELETE);
        table
    }

    #[test]
    fn paths_resolve_to_their_templates() {
        let table = table();
        assert_eq!(
            table.template("/api/v1/users/0190"),
            Some("/api/v1/users/{id}")
        );
        assert_eq!(
            table.template("/api/v1/chats/a/members/b"),
            Some("/api/v1/chats/{id}/members/{user_id}")
        );
        assert_eq!(table.template("/api/v1/users"), None);
        assert_eq!(table.template("/api/v1/users/a/b"), None);
    }

    #[test]
    fn allowed_methods_include_head_with_get() {
        assert_eq!(table().allowed("/api/v1/me"), ["GET", "PATCH", "HEAD"]);
        assert!(table().allowed("/nowhere").is_empty());
    }
}
