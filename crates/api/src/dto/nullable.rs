//! A response field the server always sends, `null` when it has no value.
//!
//! poem-openapi documents `Option<T>` as an optional key, so a generated client
//! types such a field three ways (absent, `null`, a value) although the server never
//! leaves it out. [`Nullable`] documents it as a *required*, nullable key: present
//! in every answer, maybe `null`. Keys that really are left out (someone else's
//! private profile fields) stay `Option`/`MaybeUndefined` with
//! `skip_serializing_if_is_none`.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

/// A value of type `T` or `null`, always sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Nullable<T>(pub Option<T>);

impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        Self(value)
    }
}

impl<T: Type> Type for Nullable<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        format!("nullable_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref().merge(MetaSchema {
            nullable: true,
            ..MetaSchema::ANY
        })
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

impl<T: ParseFromJSON> ParseFromJSON for Nullable<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        Option::<T>::parse_from_json(value)
            .map(Self)
            .map_err(ParseError::propagate)
    }
}

impl<T: ToJSON> ToJSON for Nullable<T> {
    fn to_json(&self) -> Option<Value> {
        Some(
            self.0
                .as_ref()
                .and_then(ToJSON::to_json)
                .unwrap_or(Value::Null),
        )
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;
    use poem_openapi::types::{ToJSON, Type};
    use serde_json::json;

    use super::Nullable;

    #[derive(Object)]
    struct Probe {
        always: Nullable<String>,
        sometimes: Option<String>,
    }

    #[test]
    fn a_nullable_key_is_required_nullable_and_sent_as_null() {
        let mut registry = poem_openapi::registry::Registry::new();
        Probe::register(&mut registry);
        let probe = &registry.schemas["Probe"];
        assert_eq!(probe.required, vec!["always"]);
        let always = probe
            .properties
            .iter()
            .find(|(name, _)| *name == "always")
            .map(|(_, schema)| schema.clone());
        let Some(poem_openapi::registry::MetaSchemaRef::Inline(always)) = always else {
            panic!("an inline schema for `always`");
        };
        assert!(always.nullable);
        let sent = Probe {
            always: Nullable(None),
            sometimes: None,
        }
        .to_json();
        assert_eq!(sent, Some(json!({"always": null, "sometimes": null})));
    }
}
