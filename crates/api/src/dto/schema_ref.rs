//! A field wrapper that keeps a referenced schema (an enum or an object) usable by
//! client generators when the field carries its own description or `nullable`.
//!
//! poem-openapi documents such a field as `allOf: [{$ref}, {description, nullable}]`.
//! Two-element `allOf`s over an enum are not an object to merge, so generators such
//! as openapi-python-client drop the whole schema (and every operation using it).
//! [`RefField`] instead documents `{description, nullable, allOf: [{$ref}]}`: the
//! usual OpenAPI 3.0 spelling of "this reference, described here", which validators
//! and generators read as the referenced type (or `null` when nullable).

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

/// A field value of type `T` whose schema is a single-element `allOf` around `T`'s
/// schema, so the field's description and `nullable` sit beside the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefField<T>(pub T);

impl<T> From<T> for RefField<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: Type> Type for RefField<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        T::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            all_of: vec![T::schema_ref()],
            ..MetaSchema::ANY
        }))
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_raw_value()
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        self.0.raw_element_iter()
    }
}

impl<T: ParseFromJSON> ParseFromJSON for RefField<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        T::parse_from_json(value)
            .map(Self)
            .map_err(ParseError::propagate)
    }
}

impl<T: ToJSON> ToJSON for RefField<T> {
    fn to_json(&self) -> Option<Value> {
        self.0.to_json()
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::registry::MetaSchemaRef;
    use poem_openapi::types::Type;

    use super::RefField;
    use crate::dto::chats::MemberRoleDto;

    #[test]
    fn the_reference_is_the_only_all_of_entry() {
        let MetaSchemaRef::Inline(schema) = RefField::<MemberRoleDto>::schema_ref() else {
            panic!("expected an inline schema");
        };
        assert_eq!(
            schema.all_of,
            vec![MetaSchemaRef::Reference("MemberRole".to_owned())]
        );
        assert!(schema.ty.is_empty(), "no type beside the reference");
    }
}
