//! Office-editable wording of the notices.
//!
//! A template is plain text with named fields in braces: `{party_name}`. Each line is a paragraph
//! (printed with the two-character first-line indent). `{{` and `}}` print a literal brace. Every
//! document kind has a fixed set of fields, filled from its data; a template naming a field the
//! kind does not have is refused with a validation error, so a typo never reaches paper.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ApiError;
pub use crate::vocab::DocumentKind;

/// The default wording of a kind (its `Kind::TEMPLATE` in `kinds/<kind>.rs`). One line = one
/// paragraph. Lines starting with `?field|` are printed only when `field` is not empty (e.g. the
/// hearing paragraph); `#marker` lines are where the document inserts lists and tables.
/// `DocumentKind::title` and `DocumentKind::fields` come from the kinds' files too.
pub fn default_template(kind: DocumentKind) -> &'static str {
    super::kinds::default_template(kind)
}

/// Fill `template` with `fields`. Unknown placeholders and unbalanced braces are validation errors.
pub fn fill(template: &str, fields: &BTreeMap<&str, String>) -> Result<String, ApiError> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(ch) => name.push(ch),
                        None => {
                            return Err(ApiError::field(
                                "template",
                                format!("模板中“{{{name}”缺少右括号“}}”"),
                            ))
                        }
                    }
                }
                let key = name.trim();
                match fields.get(key) {
                    Some(v) => out.push_str(v),
                    None => {
                        let known: Vec<&str> = fields.keys().copied().collect();
                        return Err(ApiError::field(
                            "template",
                            format!(
                                "模板中的占位符{{{key}}}不存在，可用的有：{}",
                                known.join("、")
                            ),
                        ));
                    }
                }
            }
            '}' => {
                return Err(ApiError::field(
                    "template",
                    "模板中有多余的右括号“}”，如需打印括号请写“}}”",
                ))
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// Check an office's template against the fields of its kind, without data.
pub fn validate(kind: DocumentKind, template: &str) -> Result<(), ApiError> {
    let fields: BTreeMap<&str, String> = kind
        .fields()
        .iter()
        .map(|(k, _)| (*k, String::new()))
        .collect();
    for line in template.lines() {
        let line = match line.strip_prefix('?') {
            Some(rest) => {
                let (cond, body) = rest.split_once('|').ok_or_else(|| {
                    ApiError::field("template", "条件段落应写成“?字段名|段落内容”")
                })?;
                if !fields.contains_key(cond.trim()) {
                    return Err(ApiError::field(
                        "template",
                        format!("条件段落中的字段“{}”不存在", cond.trim()),
                    ));
                }
                body
            }
            None => line,
        };
        fill(line, &fields)?;
    }
    Ok(())
}

/// The office's overrides of the default wording, by kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Templates {
    #[serde(default)]
    pub overrides: BTreeMap<DocumentKind, String>,
}

impl Templates {
    pub fn get(&self, kind: DocumentKind) -> &str {
        self.overrides
            .get(&kind)
            .map(String::as_str)
            .unwrap_or_else(|| default_template(kind))
    }

    /// Set an override after validating it.
    pub fn set(&mut self, kind: DocumentKind, text: String) -> Result<(), ApiError> {
        validate(kind, &text)?;
        self.overrides.insert(kind, text);
        Ok(())
    }
}

/// A template line after filling: plain text, or a marker (`#facts`) where the document inserts
/// its structured part (lists, tables).
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateLine {
    Text(String),
    Marker(String),
}

/// Fill every line of the kind's template; conditional lines whose field is empty are dropped.
pub fn expand(
    kind: DocumentKind,
    templates: &Templates,
    fields: &BTreeMap<&str, String>,
) -> Result<Vec<TemplateLine>, ApiError> {
    let mut out = Vec::new();
    for line in templates.get(kind).lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if let Some(m) = line.strip_prefix('#') {
            out.push(TemplateLine::Marker(m.trim().to_string()));
            continue;
        }
        let body = match line.strip_prefix('?') {
            Some(rest) => {
                let (cond, body) = rest.split_once('|').ok_or_else(|| {
                    ApiError::field("template", "条件段落应写成“?字段名|段落内容”")
                })?;
                match fields.get(cond.trim()) {
                    Some(v) if !v.is_empty() => body,
                    Some(_) => continue,
                    None => {
                        return Err(ApiError::field(
                            "template",
                            format!("条件段落中的字段“{}”不存在", cond.trim()),
                        ))
                    }
                }
            }
            None => line,
        };
        out.push(TemplateLine::Text(fill(body, fields)?));
    }
    Ok(out)
}
