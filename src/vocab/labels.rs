//! One Chinese label for every enum value the API sends. The label is written once, next to its
//! enum, with [`labels!`] (an exhaustive match, so a new variant without a label does not compile)
//! or with [`labeled_by!`] for an enum that already has a `label()`-like method. The command table
//! lists every labelled enum once (`api::LABELED`), and `recoup gen-ts` writes the tables into
//! `ui/src/api/types.gen.ts` as `enumLabels`, so the UI never spells a label again; the test
//! `every_enum_of_the_api_has_labels` fails when an enum reaches the UI without one.

use serde::de::DeserializeOwned;
use ts_rs::TS;

/// An enum whose every value has a Chinese label for the user.
pub trait Labeled: DeserializeOwned + TS + 'static {
    fn label(&self) -> &'static str;
}

/// `labels!(Type { Variant => "标签", … })`: implements [`Labeled`] with an exhaustive match.
#[macro_export]
macro_rules! labels {
    ($ty:ty { $($variant:ident => $label:literal),* $(,)? }) => {
        impl $crate::vocab::Labeled for $ty {
            fn label(&self) -> &'static str {
                match self {
                    $(<$ty>::$variant => $label,)*
                }
            }
        }
    };
}

/// `labeled_by!(Type, method)`: implements [`Labeled`] with the enum's own `method(self)`.
#[macro_export]
macro_rules! labeled_by {
    ($($ty:ty => $method:ident),* $(,)?) => {
        $(impl $crate::vocab::Labeled for $ty {
            fn label(&self) -> &'static str {
                <$ty>::$method(*self)
            }
        })*
    };
}

/// The values of a string-union TypeScript declaration (`type Fund = "A" | "B";`), in order.
pub fn ts_union_values(decl: &str) -> Vec<String> {
    let Some((_, rhs)) = decl.split_once('=') else {
        return Vec::new();
    };
    rhs.split('|')
        .filter_map(|v| {
            let v = v.trim().trim_end_matches(';').trim();
            v.strip_prefix('"')?.strip_suffix('"').map(str::to_string)
        })
        .collect()
}

/// `(value, label)` of every value of `T`, in declaration order.
pub fn table<T: Labeled>(cfg: &ts_rs::Config) -> Vec<(String, &'static str)> {
    ts_union_values(&T::decl(cfg))
        .into_iter()
        .map(|v| {
            let value: T = serde_json::from_value(serde_json::Value::String(v.clone()))
                .expect("a value of the TypeScript union deserializes");
            (v, value.label())
        })
        .collect()
}
