//! Enums kept in `text` columns (statuses, kinds): `text_enum!` declares one with the word
//! each variant is stored as, and Diesel then reads and writes the enum itself, so no
//! status travels through the code as a bare string and a word the code does not know
//! fails when the row is read instead of matching nothing. The columns keep their `check`
//! constraints, so the database refuses what the code could not have written.

/// Declares `enum $name { Variant = "word", ... }` stored as text; with `as_str`,
/// `FromStr`, `Display` and Diesel's `ToSql`/`FromSql` for `Text`.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $word:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant),+
        }

        impl $name {
            /// Every variant, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(word: &str) -> Result<Self, String> {
                match word {
                    $($word => Ok($name::$variant),)+
                    other => Err(format!("{other:?} is not a {}", stringify!($name))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let word = std::str::from_utf8(value.as_bytes())?;
                Ok(word.parse()?)
            }
        }
    };
}

pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    text_enum! {
        enum Light {
            Red = "red",
            Green = "green",
        }
    }

    #[test]
    fn each_variant_is_its_word_both_ways() {
        for &light in Light::ALL {
            assert_eq!(light.as_str().parse::<Light>(), Ok(light));
            assert_eq!(light.to_string(), light.as_str());
        }
        assert_eq!("Red".parse::<Light>(), Err("\"Red\" is not a Light".into()));
    }
}
