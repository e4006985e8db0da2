//! Everything a person reads comes from here: one Project Fluent message file per language
//! (`messages/zh.ftl`, `messages/en.ftl`), compiled into the binary. Code passes message ids
//! and values, never sentences.
//!
//! ```
//! use lastmetre_text::{Lang, text};
//! assert_eq!(text(Lang::Zh, "sheet-drop", &[("floor", "3".into()), ("order", "O-1".into())]), "3楼 送 O-1");
//! assert_eq!(text(Lang::En, "sheet-drop", &[("floor", "3".into()), ("order", "O-1".into())]), "3F drop O-1");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// A language people read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese, the default: the people in the field read it first.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The language's code, as `--lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// `zh` or `en` (with a region or script, as `zh-CN`, `zh-Hans` or `en-GB`), any case.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first language of an HTTP `Accept-Language` header that we have, by its weights;
    /// none when it names neither.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(k, part)| {
                let mut fields = part.split(';');
                let lang = Lang::parse(fields.next()?)?;
                let q =
                    fields.find_map(|f| f.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
                (q > 0.0).then_some((q, k, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        choices.first().map(|c| c.2)
    }

    /// The language for an area at `lon`, `lat`: Chinese inside China's bounding box
    /// (73–135° E, 18–54° N), English elsewhere.
    pub fn for_place(lon: f64, lat: f64) -> Lang {
        if (73.0..=135.0).contains(&lon) && (18.0..=54.0).contains(&lat) { Lang::Zh } else { Lang::En }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Zh => include_str!("../messages/zh.ftl"),
            Lang::En => include_str!("../messages/en.ftl"),
        }
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        static BUNDLES: [OnceLock<FluentBundle<FluentResource>>; 2] = [OnceLock::new(), OnceLock::new()];
        let slot = &BUNDLES[self as usize];
        slot.get_or_init(|| {
            let resource = FluentResource::try_new(self.source().to_owned())
                .unwrap_or_else(|(_, errors)| panic!("messages/{}.ftl does not parse: {errors:?}", self.code()));
            let id = self.code().parse().expect("a language code");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Sheets are plain text: no bidirectional isolation marks around values.
            bundle.set_use_isolating(false);
            bundle.add_resource(resource).expect("message ids are unique");
            bundle
        })
    }
}

/// A value put into a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// Text, as it is.
    Text(String),
    /// A number, as the language writes it.
    Number(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Number(n as f64)
    }
}

/// The message `id` in `lang` with `args`. A message missing from the file (a bug the tests
/// catch) reads as its id, so that nothing is silently blank.
pub fn text(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let bundle = lang.bundle();
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(s) => fluent_args.set(*name, FluentValue::from(s.as_str())),
            Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
        }
    }
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
}

/// Message ids of a language's file, in file order.
pub fn ids(lang: Lang) -> Vec<String> {
    lang.source()
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_owned()))
        .collect()
}

/// The variables (`{ $name }`) message `id` uses in `lang`, in order of first use.
pub fn variables(lang: Lang, id: &str) -> Vec<String> {
    let Some(line) = lang.source().lines().find(|l| l.split_once(" =").is_some_and(|(k, _)| k.trim() == id)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for part in line.split('$').skip(1) {
        let name: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The message `id` with each variable left as `{name}`, for a page that puts the values in
/// itself: pages get their words from the message files too.
pub fn template(lang: Lang, id: &str) -> String {
    let args: Vec<(String, Arg)> =
        variables(lang, id).into_iter().map(|v| (v.clone(), Arg::Text(format!("{{{v}}}")))).collect();
    let args: Vec<(&str, Arg)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    text(lang, id, &args)
}

/// Every message whose id starts with one of `prefixes`, as [`template`]s: the words of one
/// page.
pub fn templates(lang: Lang, prefixes: &[&str]) -> Vec<(String, String)> {
    ids(lang)
        .into_iter()
        .filter(|id| prefixes.iter().any(|p| id.starts_with(p)))
        .map(|id| {
            let t = template(lang, &id);
            (id, t)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_in_every_language_and_formats_without_error() {
        let zh = ids(Lang::Zh);
        assert!(zh.len() > 20, "{zh:?}");
        for lang in Lang::ALL {
            assert_eq!(ids(lang), zh, "{} has the same messages in the same order", lang.code());
            for id in &zh {
                let pattern = lang.bundle().get_message(id).and_then(|m| m.value()).expect("a value");
                let mut errors = Vec::new();
                // Every variable a message may use, so that a misspelt one shows as an error.
                let mut args = FluentArgs::new();
                for name in [
                    "number",
                    "area",
                    "time",
                    "bags",
                    "kg",
                    "stations",
                    "station",
                    "orders",
                    "items",
                    "order",
                    "stairwell",
                    "drops",
                    "floor",
                    "door",
                    "porter",
                    "n",
                    "of",
                    "label",
                    "tricycle",
                    "buildings",
                    "status",
                    "id",
                    "clock",
                    "queued",
                    "plan",
                    "ref",
                    "start",
                    "delivered",
                    "total",
                    "left",
                    "why",
                    "action",
                    "trips",
                    "km",
                    "outings",
                    "climbs",
                    "metres",
                    "kj",
                    "most",
                    "path",
                    "what",
                    "addresses",
                ] {
                    args.set(name, "x");
                }
                lang.bundle().format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{} {id}: {errors:?}", lang.code());
                let mut here = variables(lang, id);
                let mut there = variables(Lang::Zh, id);
                here.sort();
                there.sort();
                assert_eq!(here, there, "{id} takes the same values in {} as in zh", lang.code());
            }
        }
    }

    #[test]
    fn languages_come_from_tags_headers_and_places() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::from_accept_language("fr-FR,en;q=0.8,zh-CN;q=0.9"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de, fr;q=0.5"), None);
        assert_eq!(Lang::from_accept_language("zh;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(Lang::for_place(113.3, 23.1), Lang::Zh);
        assert_eq!(Lang::for_place(4.7, 50.9), Lang::En);
    }

    #[test]
    fn separators_keep_their_spaces() {
        assert_eq!(text(Lang::En, "sheet-list-separator", &[]), ", ");
        assert_eq!(text(Lang::Zh, "sheet-list-separator", &[]), "、");
        assert_eq!(text(Lang::En, "no-such-message", &[]), "no-such-message");
    }

    #[test]
    fn templates_leave_the_values_to_the_page() {
        assert_eq!(variables(Lang::Zh, "sheet-drop-door"), ["floor", "order", "door"]);
        assert_eq!(template(Lang::Zh, "porter-page-floor"), "{floor}楼");
        let page = templates(Lang::En, &["porter-page-"]);
        assert!(page.iter().all(|(id, _)| id.starts_with("porter-page-")) && page.len() >= 10, "{page:?}");
    }
}
