//! `ApiJson<T>`: a JSON request body whose refusals use the error shape and name the
//! JSON field (poem-openapi's own `Json<T>` reports a parse failure as one opaque
//! string, which would leave clients guessing which field was wrong).

use std::ops::Deref;

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaDiscriminatorObject, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ErrorCode, FieldErrorBody};

/// A JSON request body of type `T`. Unknown fields are ignored, never written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiJson<T>(pub T);

impl<T> Deref for ApiJson<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Type> Payload for ApiJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for ApiJson<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = Vec::<u8>::from_request(request, body).await?;
        let value: Value = serde_json::from_slice(&data).map_err(|error| {
            ApiError::new(
                ErrorCode::InvalidJson,
                format!("The body is not valid JSON: {error}."),
            )
        })?;
        if !value.is_object() {
            return Err(
                ApiError::new(ErrorCode::InvalidJson, "The body must be a JSON object.").into(),
            );
        }
        // poem-openapi coerces numbers and booleans into strings; check the JSON
        // types against the schema first, so a wrong type is refused, never stored.
        let fields = diagnose::<T>(&value);
        if !fields.is_empty() {
            return Err(ApiError::fields(ErrorCode::ValidationFailed, fields).into());
        }
        // Whatever still fails to parse fits the checks above; poem's message would
        // name its internal type names, so it stays in the log.
        T::parse_from_json(Some(value)).map(Self).map_err(|error| {
            tracing::debug!(error = error.message(), "request body refused");
            ApiError::new(
                ErrorCode::ValidationFailed,
                "The body does not fit the documented request schema.",
            )
            .into()
        })
    }
}

poem_openapi::impl_apirequest_for_payload!(ApiJson<T>, T: ParseFromJSON);

/// Finds the fields of `value` that do not fit `T`'s schema: missing required
/// fields, wrong JSON types and unknown enum values, also inside nested objects and
/// arrays (named like `members[2].role`).
fn diagnose<T: Type>(value: &Value) -> Vec<FieldErrorBody> {
    let mut registry = Registry::new();
    T::register(&mut registry);
    let mut errors = Vec::new();
    check(&registry, &T::schema_ref(), value, "", &mut errors);
    errors
}

/// Appends to `errors` why `found` (at `path`) does not fit `expected`.
fn check(
    registry: &Registry,
    expected: &MetaSchemaRef,
    found: &Value,
    path: &str,
    errors: &mut Vec<FieldErrorBody>,
) {
    let Some(schema) = resolve(registry, expected) else {
        return;
    };
    if let Some(message) = mismatch(schema, found) {
        errors.push(FieldErrorBody {
            field: path.to_owned(),
            message,
        });
        return;
    }
    if let Some(discriminator) = &schema.discriminator {
        check_variant(registry, discriminator, found, path, errors);
        return;
    }
    // A union's variant is `allOf: [{discriminator property}, {$ref: the object}]`:
    // the value must fit every part.
    if schema.properties.is_empty() && !schema.all_of.is_empty() {
        for part in &schema.all_of {
            check(registry, part, found, path, errors);
        }
        return;
    }
    match found {
        Value::Object(object) => {
            for (name, property) in &schema.properties {
                let field = if path.is_empty() {
                    (*name).to_owned()
                } else {
                    format!("{path}.{name}")
                };
                match object.get(*name) {
                    None if schema.required.contains(name) => errors.push(FieldErrorBody {
                        field,
                        message: "is required".to_owned(),
                    }),
                    None => {}
                    Some(Value::Null) if nullable(registry, property) => {}
                    Some(Value::Null) => errors.push(FieldErrorBody {
                        field,
                        message: "must not be null".to_owned(),
                    }),
                    Some(inner) => check(registry, property, inner, &field, errors),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = &schema.items {
                for (index, item) in items.iter().enumerate() {
                    check(
                        registry,
                        item_schema,
                        item,
                        &format!("{path}[{index}]"),
                        errors,
                    );
                }
            }
        }
        _ => {}
    }
}

/// Checks `found` against the variant of a discriminated union its discriminator
/// property names, or says that property is missing or names no variant.
fn check_variant(
    registry: &Registry,
    discriminator: &MetaDiscriminatorObject,
    found: &Value,
    path: &str,
    errors: &mut Vec<FieldErrorBody>,
) {
    let name = discriminator.property_name;
    let field = if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    };
    let variant = match found.get(name) {
        None | Some(Value::Null) => Err("is required".to_owned()),
        Some(value) => discriminator
            .mapping
            .iter()
            .find(|(mapped, _)| value.as_str() == Some(mapped.as_str()))
            .ok_or_else(|| {
                let allowed: Vec<String> = discriminator
                    .mapping
                    .iter()
                    .map(|(mapped, _)| Value::from(mapped.as_str()).to_string())
                    .collect();
                format!("must be one of {}", allowed.join(", "))
            }),
    };
    match variant {
        Ok((_, reference)) => {
            let schema_name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or(reference);
            let variant = MetaSchemaRef::Reference(schema_name.to_owned());
            check(registry, &variant, found, path, errors);
        }
        Err(message) => errors.push(FieldErrorBody { field, message }),
    }
}

/// Whether `null` is allowed where `schema` is expected.
fn nullable(registry: &Registry, schema: &MetaSchemaRef) -> bool {
    match schema {
        MetaSchemaRef::Inline(inline) => {
            inline.nullable || inline.all_of.iter().any(|s| nullable(registry, s))
        }
        MetaSchemaRef::Reference(name) => registry.schemas.get(name).is_some_and(|s| s.nullable),
    }
}

/// Why `found` does not fit `schema` at its own level, if it visibly does not.
fn mismatch(schema: &MetaSchema, found: &Value) -> Option<String> {
    if !schema.enum_items.is_empty() {
        if schema.enum_items.contains(found) {
            return None;
        }
        let allowed: Vec<String> = schema.enum_items.iter().map(Value::to_string).collect();
        return Some(format!("must be one of {}", allowed.join(", ")));
    }
    let fits = match schema.ty {
        "string" => found.is_string(),
        "integer" => found.is_i64() || found.is_u64(),
        "number" => found.is_number(),
        "boolean" => found.is_boolean(),
        "array" => found.is_array(),
        "object" => found.is_object(),
        _ => true,
    };
    if !fits {
        return Some(format!("must be of type {}", schema.ty));
    }
    if let Value::Array(items) = found
        && let Some(message) = item_count_mismatch(schema, items.len())
    {
        return Some(message);
    }
    match (schema.ty, schema.format, found) {
        // Every integer the API takes is a signed 64-bit one.
        ("integer", _, Value::Number(n)) if !n.is_i64() => Some(format!(
            "must be a whole number no larger than {}",
            i64::MAX
        )),
        ("string", Some("uuid"), Value::String(text)) if Uuid::parse_str(text).is_err() => {
            Some("must be a UUID".to_owned())
        }
        _ => None,
    }
}

/// Why an array of `count` items breaks `schema`'s `minItems`/`maxItems`, if it does.
fn item_count_mismatch(schema: &MetaSchema, count: usize) -> Option<String> {
    let items = |n: usize| {
        if n == 1 {
            "1 item".to_owned()
        } else {
            format!("{n} items")
        }
    };
    match (schema.min_items, schema.max_items) {
        (Some(min), Some(max)) if min == max && count != min => {
            Some(format!("must hold exactly {}", items(min)))
        }
        (Some(min), _) if count < min => Some(format!("must hold at least {}", items(min))),
        (_, Some(max)) if count > max => Some(format!("must hold at most {}", items(max))),
        _ => None,
    }
}

/// The schema a reference points at (or the inline schema itself).
fn resolve<'a>(registry: &'a Registry, schema: &'a MetaSchemaRef) -> Option<&'a MetaSchema> {
    match schema {
        // A nullable reference is `allOf: [$ref, {nullable}]`: look through it.
        MetaSchemaRef::Inline(inline) if inline.ty.is_empty() || inline.ty == "object" => {
            match inline.all_of.first() {
                Some(first) if inline.properties.is_empty() => resolve(registry, first),
                _ => Some(inline),
            }
        }
        MetaSchemaRef::Inline(inline) => Some(inline),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
    }
}
