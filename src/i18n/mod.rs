//! Thai and English message catalogues. Every user-facing string is looked up here by key;
//! the catalogues are TOML files compiled into the binary and checked for equal key sets by tests.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Th,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Th, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Th => "th",
            Locale::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "th" => Some(Locale::Th),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The other language, offered by the switcher in the page header.
    pub fn other(self) -> Self {
        self.pick(Locale::En, Locale::Th)
    }

    /// Of a thing in Thai and the same in English, the one in this language.
    pub fn pick<T>(self, th: T, en: T) -> T {
        match self {
            Locale::Th => th,
            Locale::En => en,
        }
    }
}

/// A text in both languages (a rule file's titles, a form's labels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    pub th: String,
    pub en: String,
}

impl Bilingual {
    pub fn get(&self, locale: Locale) -> &str {
        locale.pick(&self.th, &self.en)
    }
}

type Catalogue = HashMap<String, String>;

static CATALOGUES: LazyLock<[Catalogue; 2]> = LazyLock::new(|| {
    [
        parse_catalogue("th.toml", include_str!("th.toml")),
        parse_catalogue("en.toml", include_str!("en.toml")),
    ]
});

fn parse_catalogue(name: &str, source: &str) -> Catalogue {
    // The catalogues are compiled in, so a syntax error is a build defect caught by the tests.
    let table: toml::Table = source
        .parse()
        .unwrap_or_else(|e| panic!("i18n catalogue {name} is not valid TOML: {e}"));
    let mut flat = Catalogue::new();
    flatten("", &table, &mut flat);
    flat
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalogue) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => flatten(&full, inner, out),
            toml::Value::String(text) => {
                out.insert(full, text.clone());
            }
            other => panic!("i18n key {full} must be a string, found {other}"),
        }
    }
}

/// The translator handed to every template and e-mail.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn new(locale: Locale) -> Self {
        Self { locale }
    }

    /// The text for `key`; a missing key shows itself (and is caught by the catalogue tests).
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        let catalogue = &CATALOGUES[self.locale as usize];
        match catalogue.get(key) {
            Some(text) => text.as_str(),
            None => {
                tracing::warn!(key, locale = self.locale.code(), "missing i18n key");
                key
            }
        }
    }

    /// The text for `key` with each `{name}` replaced by its value.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn has(&self, key: &str) -> bool {
        CATALOGUES[self.locale as usize].contains_key(key)
    }

    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    /// The date as Thai people write it: day, month name, Buddhist-era year.
    pub fn date(&self, date: &chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let month = self.t(MONTH_KEYS[date.month0() as usize]);
        match self.locale {
            Locale::Th => format!("{} {} {}", date.day(), month, date.year() + 543),
            Locale::En => format!("{} {} {}", date.day(), month, date.year()),
        }
    }

    /// The Thai calendar day of a stored (UTC) timestamp.
    pub fn day_of(&self, stored: &chrono::NaiveDateTime) -> String {
        self.date(&crate::domain::clock::thai_time(*stored).date())
    }

    /// A stored (UTC) timestamp as Thai local date and time: "2 ธันวาคม 2569 08:30".
    pub fn moment(&self, stored: &chrono::NaiveDateTime) -> String {
        let local = crate::domain::clock::thai_time(*stored);
        format!("{} {}", self.date(&local.date()), local.format("%H:%M"))
    }
}

const MONTH_KEYS: [&str; 12] = [
    "month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8",
    "month.9", "month.10", "month.11", "month.12",
];

/// Every key of one catalogue, for the completeness tests.
pub fn keys(locale: Locale) -> Vec<String> {
    let mut keys: Vec<String> = CATALOGUES[locale as usize].keys().cloned().collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_and_english_catalogues_have_the_same_keys() {
        assert_eq!(keys(Locale::Th), keys(Locale::En));
    }

    #[test]
    fn no_catalogue_entry_is_empty() {
        for locale in Locale::ALL {
            for key in keys(locale) {
                assert!(!Tr::new(locale).t(&key).trim().is_empty(), "{key} is empty");
            }
        }
    }

    #[test]
    fn every_key_used_in_the_code_and_templates_exists() {
        let mut missing = Vec::new();
        for used in used_keys() {
            for locale in Locale::ALL {
                if !Tr::new(locale).has(&used) {
                    missing.push(format!("{used} ({})", locale.code()));
                }
            }
        }
        assert!(missing.is_empty(), "missing i18n keys: {missing:?}");
    }

    /// One polite register: Kaset calls the reader ท่าน, never คุณ (which still appears inside
    /// ขอบคุณ "thank you", คุณภาพ "quality" and คุณสมบัติ "qualification").
    #[test]
    fn thai_texts_address_the_reader_as_than() {
        let tr = Tr::new(Locale::Th);
        let casual: Vec<String> = keys(Locale::Th)
            .into_iter()
            .filter(|key| {
                let text = tr
                    .t(key)
                    .replace("ขอบคุณ", "")
                    .replace("คุณภาพ", "")
                    .replace("คุณสมบัติ", "");
                text.contains("คุณ")
            })
            .collect();
        assert!(casual.is_empty(), "คุณ in: {casual:?}");
    }

    #[test]
    fn thai_dates_use_the_buddhist_era() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(Tr::new(Locale::Th).date(&date), "29 พฤศจิกายน 2569");
        assert_eq!(Tr::new(Locale::En).date(&date), "29 November 2026");
    }

    /// Finds literal keys in `t("…")`, `fmt("…"` and `Invalid::new("…")` calls across templates and
    /// sources, so a typo in a key fails the build's tests rather than showing a raw key.
    fn used_keys() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["templates", "src"] {
            collect_files(&root.join(dir), &mut files);
        }
        let patterns = ["t(\"", "fmt(\"", "Invalid::new(\"", "_key: \"", "key(\""];
        let mut keys = Vec::new();
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            for pattern in patterns {
                for (start, _) in text.match_indices(pattern) {
                    let rest = &text[start + pattern.len()..];
                    if let Some(end) = rest.find('"') {
                        let key = &rest[..end];
                        if key.contains('.') && !key.contains(['{', ' ', '/']) {
                            keys.push(key.to_owned());
                        }
                    }
                }
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    fn collect_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect_files(&path, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("rs" | "html" | "txt")
            ) {
                out.push(path);
            }
        }
    }
}
