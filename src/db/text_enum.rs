//! Enums stored as words in a `text` column, the way statuses and kinds are kept: queries
//! compare with the enum (`outbox::status.eq(OutboxStatus::Sent)`) and rows load into it,
//! so no word is spelled twice in Rust. The migrations keep a `check` constraint with the
//! same words, so a word no version knows cannot be written; one read back that this
//! version does not know is a deserialization error, never a panic.
//!
//! Text rather than a PostgreSQL enum type: adding a word is then an ordinary migration
//! (drop and re-add the check) that runs in a transaction and behind PgBouncer, and tools
//! that read the tables see plain words.

/// `text_enum! { pub enum Name { Variant = "word", ... } }`: the enum with `as_str`,
/// `Display`, `FromStr` and Diesel's `ToSql`/`FromSql` for `Text` on PostgreSQL.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $word:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $word, )+
                }
            }

            /// The word written into the statement instead of bound as a parameter, for
            /// filters. A partial index (`where status = 'pending'`) serves a prepared
            /// statement's generic plan only when the statement itself names the word;
            /// with `status = $1` the outbox's claim planned a sequential scan of every
            /// row ever sent (bench/plans.py). The words are this macro's literals, never
            /// input.
            pub fn literal(self) -> diesel::expression::SqlLiteral<diesel::sql_types::Text> {
                diesel::dsl::sql(match self {
                    $( $name::$variant => concat!("'", $word, "'"), )+
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(word: &str) -> Result<Self, String> {
                match word {
                    $( $word => Ok($name::$variant), )+
                    other => Err(format!("{other:?} is not a known {}", stringify!($name))),
                }
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
        assert_eq!("Red".parse::<Light>(), Err("\"Red\" is not a known Light".into()));
    }

    #[test]
    fn a_literal_puts_the_quoted_word_into_the_statement_instead_of_a_parameter() {
        use diesel::dsl::sql;
        use diesel::prelude::*;
        let column = sql::<diesel::sql_types::Text>("light");
        let bound = diesel::debug_query::<diesel::pg::Pg, _>(&column.clone().eq(Light::Green)).to_string();
        let written =
            diesel::debug_query::<diesel::pg::Pg, _>(&column.eq(Light::Green.literal())).to_string();
        assert!(bound.contains("$1"), "{bound}");
        assert!(written.contains("light = 'green'") && !written.contains("$1"), "{written}");
    }
}
