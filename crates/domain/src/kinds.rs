//! One way to define a kind that is stored and shown by name (an event's
//! kind, a participant's kind, a team role, a circle member's state …):
//! [`stored_kind!`] gives the enum its stored names, `ALL`, `as_str`,
//! `parse`, `FromStr`, `Display`, serde and its OpenAPI schema (a string
//! enum) under the same names and, with the `sqlx` feature, binding and
//! decoding as text (`text_column!`, which typed ids use too; with the
//! `rusqlite` feature, read as text by rusqlite too). A stored
//! name is a contract with rows written by earlier versions, pages and API
//! clients: never rename one.

/// A text that names none of a kind's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind")]
pub struct UnknownKind;

/// Binds and decodes a type in sqlx (with the `sqlx` feature) as the text
/// it displays as, read back through `FromStr`: a kind or a typed id binds
/// like the `String` it was before, and a stored text that does not parse
/// is an error of the row, never a made-up value.
#[doc(hidden)]
#[macro_export]
macro_rules! text_column {
    ($name:ident) => {
        #[cfg(feature = "sqlx")]
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, sqlx::Any>>::encode(self.to_string(), buf)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let raw = <&str as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                Ok(raw.parse::<$name>()?)
            }
        }

        #[cfg(feature = "rusqlite")]
        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse::<$name>()
                    .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __one {
    ($x:ident) => {
        1
    };
}

/// Defines a kind stored by name; see the module's documentation.
#[macro_export]
macro_rules! stored_kind {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),*
        }

        impl $name {
            pub const ALL: [$name; 0 $(+ $crate::__one!($variant))*] = [$($name::$variant),*];

            /// The stored (and shown) name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }

            /// The value a stored name stands for; `None` for a name this
            /// version does not know.
            pub fn parse(raw: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|k| k.as_str() == raw)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::kinds::UnknownKind;
            fn from_str(raw: &str) -> Result<Self, $crate::kinds::UnknownKind> {
                $name::parse(raw).ok_or($crate::kinds::UnknownKind)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Written out rather than derived: utoipa's derive does not see a
        // variant's `serde(rename)` when the name comes through this macro,
        // and would document the Rust names instead of the stored ones.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),*]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        /// Lets code that holds the stored name compare with a value.
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        // Stored as its name, so it binds and decodes like the text it was before.
        $crate::text_column!($name);
    };
}
