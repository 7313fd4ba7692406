//! What farmers' comments say, in Thai and English: words (Thai has no spaces, so it is
//! segmented), the most frequent terms without stop words, themes from a farm-service lexicon
//! (`rules/feedback/lexicon.toml`, which managers extend), and sentiment with negation
//! ("ไม่ดี" is negative, "ไม่ช้า" positive). No I/O: the lexicon's text is given.
//!
//! Thai segmentation is ICU4X's (`icu_segmenter`), corrected by the lexicon: checked on real
//! feedback, ICU splits common words it should not ("มาก" into "มา" + "ก", "ยาก" into "ยา" + "ก")
//! and joins ones it should split ("รอนาน"). So the lexicon's words are matched first, longest
//! first, and ICU segments only what lies between them.

use icu_segmenter::{options::WordBreakInvariantOptions, WordSegmenter};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone)]
pub struct Theme {
    pub id: String,
    pub th: String,
    pub en: String,
    pub terms: Vec<String>,
}

/// The farm-service lexicon: themes, sentiment words, negators, stop words, and extra words
/// that help segmentation.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub themes: Vec<Theme>,
    positive: HashSet<String>,
    negative: HashSet<String>,
    negative_phrases: Vec<String>,
    positive_phrases: Vec<String>,
    negators: HashSet<String>,
    stopwords: HashSet<String>,
    /// Every Thai word the lexicon knows, for segmentation.
    thai_words: HashSet<String>,
    longest_word: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    id: String,
    th: String,
    en: String,
    terms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    themes: Vec<ThemeFile>,
    positive: Vec<String>,
    negative: Vec<String>,
    #[serde(default)]
    positive_phrases: Vec<String>,
    #[serde(default)]
    negative_phrases: Vec<String>,
    negators: Vec<String>,
    stopwords: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
}

fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

impl Lexicon {
    /// Reads the lexicon file; a mistake is reported with its line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: LexiconFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            format!("line {line}: {}", e.message())
        })?;
        let lower = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect()
        };
        let themes: Vec<Theme> = file
            .themes
            .into_iter()
            .map(|t| Theme {
                id: t.id,
                th: t.th,
                en: t.en,
                terms: lower(t.terms),
            })
            .collect();
        let positive = lower(file.positive);
        let negative = lower(file.negative);
        let negators = lower(file.negators);
        let stopwords = lower(file.stopwords);
        let words = lower(file.words);
        // Single words only: a theme's phrase ("รอนาน") taken as one word would hide its parts.
        let thai_words: HashSet<String> = positive
            .iter()
            .chain(&negative)
            .chain(&negators)
            .chain(&stopwords)
            .chain(&words)
            .filter(|w| w.chars().all(is_thai))
            .cloned()
            .collect();
        let longest_word = thai_words
            .iter()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        Ok(Lexicon {
            themes,
            positive: positive.into_iter().collect(),
            negative: negative.into_iter().collect(),
            positive_phrases: lower(file.positive_phrases),
            negative_phrases: lower(file.negative_phrases),
            negators: negators.into_iter().collect(),
            stopwords: stopwords.into_iter().collect(),
            thai_words,
            longest_word,
        })
    }

    /// The words of a comment, lower-cased, without spaces and punctuation.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let mut tokens = Vec::new();
        let mut run = String::new();
        let mut thai_run = false;
        for c in text.chars() {
            let thai = is_thai(c);
            if !run.is_empty() && thai != thai_run {
                self.push_run(&run, thai_run, &mut tokens);
                run.clear();
            }
            thai_run = thai;
            run.push(c);
        }
        if !run.is_empty() {
            self.push_run(&run, thai_run, &mut tokens);
        }
        tokens
    }

    fn push_run(&self, run: &str, thai: bool, tokens: &mut Vec<String>) {
        if thai {
            self.segment_thai(run, tokens);
        } else {
            tokens.extend(
                run.split(|c: char| !(c.is_alphanumeric() || c == '\''))
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase),
            );
        }
    }

    /// Lexicon words first (longest match), ICU for the stretches between them.
    fn segment_thai(&self, run: &str, tokens: &mut Vec<String>) {
        let chars: Vec<(usize, char)> = run.char_indices().collect();
        let byte_at = |i: usize| chars.get(i).map_or(run.len(), |(b, _)| *b);
        let mut unknown_from: Option<usize> = None;
        let mut i = 0;
        while i < chars.len() {
            let known = (1..=self.longest_word.min(chars.len() - i))
                .rev()
                .find(|len| self.thai_words.contains(&run[byte_at(i)..byte_at(i + len)]));
            match known {
                Some(len) => {
                    if let Some(from) = unknown_from.take() {
                        icu_segment(&run[byte_at(from)..byte_at(i)], tokens);
                    }
                    tokens.push(run[byte_at(i)..byte_at(i + len)].to_owned());
                    i += len;
                }
                None => {
                    unknown_from.get_or_insert(i);
                    i += 1;
                }
            }
        }
        if let Some(from) = unknown_from {
            icu_segment(&run[byte_at(from)..], tokens);
        }
    }

    /// +1 for each positive word, -1 for each negative one, flipped when one of the two
    /// words before it is a negator; phrases count as they are.
    pub fn sentiment(&self, text: &str, tokens: &[String]) -> i32 {
        let mut score = 0;
        for (i, token) in tokens.iter().enumerate() {
            let polarity = if self.positive.contains(token) {
                1
            } else if self.negative.contains(token) {
                -1
            } else {
                continue;
            };
            let negated = tokens[i.saturating_sub(2)..i]
                .iter()
                .any(|t| self.negators.contains(t));
            score += if negated { -polarity } else { polarity };
        }
        let lower = text.to_lowercase();
        score += self
            .positive_phrases
            .iter()
            .filter(|p| lower.contains(p.as_str()))
            .count() as i32;
        score -= self
            .negative_phrases
            .iter()
            .filter(|p| lower.contains(p.as_str()))
            .count() as i32;
        score
    }

    /// The themes a comment touches (a term appearing anywhere in it).
    pub fn themes_of(&self, text: &str) -> Vec<&Theme> {
        let lower = text.to_lowercase();
        self.themes
            .iter()
            .filter(|t| t.terms.iter().any(|term| lower.contains(term.as_str())))
            .collect()
    }

    fn is_stopword(&self, token: &str) -> bool {
        self.stopwords.contains(token) || token.chars().all(|c| c.is_ascii_digit())
    }
}

fn icu_segment(text: &str, tokens: &mut Vec<String>) {
    // Built once: it is the same for every comment.
    static SEGMENTER: std::sync::LazyLock<icu_segmenter::WordSegmenterBorrowed<'static>> =
        std::sync::LazyLock::new(|| WordSegmenter::new_auto(WordBreakInvariantOptions::default()));
    let bounds: Vec<usize> = SEGMENTER.segment_str(text).collect();
    tokens.extend(
        bounds
            .windows(2)
            .map(|w| text[w[0]..w[1]].trim())
            .filter(|w| !w.is_empty())
            .map(str::to_owned),
    );
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    pub fn of(score: i32) -> Self {
        match score {
            s if s > 0 => Sentiment::Positive,
            s if s < 0 => Sentiment::Negative,
            _ => Sentiment::Neutral,
        }
    }
}

/// One theme across the comments of a period.
#[derive(Debug, Clone)]
pub struct ThemeSummary {
    pub id: String,
    pub th: String,
    pub en: String,
    pub comments: usize,
    pub negative: usize,
    /// Up to three comments that speak of it most plainly (negative first, then shortest).
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub comments: usize,
    pub positive: usize,
    pub neutral: usize,
    pub negative: usize,
    /// The most frequent words (stop words left out), with how many comments use them.
    pub top_terms: Vec<(String, usize)>,
    pub themes: Vec<ThemeSummary>,
}

/// Analyses a period's comments.
pub fn analyse(lexicon: &Lexicon, comments: &[String]) -> Analysis {
    let mut analysis = Analysis {
        comments: comments.len(),
        ..Analysis::default()
    };
    let mut term_counts: HashMap<String, usize> = HashMap::new();
    let mut by_theme: BTreeMap<usize, Vec<(Sentiment, &str)>> = BTreeMap::new();
    for comment in comments {
        let tokens = lexicon.tokens(comment);
        let sentiment = Sentiment::of(lexicon.sentiment(comment, &tokens));
        match sentiment {
            Sentiment::Positive => analysis.positive += 1,
            Sentiment::Neutral => analysis.neutral += 1,
            Sentiment::Negative => analysis.negative += 1,
        }
        let distinct: HashSet<&String> =
            tokens.iter().filter(|t| !lexicon.is_stopword(t)).collect();
        for token in distinct {
            *term_counts.entry(token.clone()).or_default() += 1;
        }
        for theme in lexicon.themes_of(comment) {
            let index = lexicon
                .themes
                .iter()
                .position(|t| t.id == theme.id)
                .unwrap_or(0);
            by_theme
                .entry(index)
                .or_default()
                .push((sentiment, comment));
        }
    }
    let mut top: Vec<(String, usize)> = term_counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(15);
    analysis.top_terms = top;
    analysis.themes = by_theme
        .into_iter()
        .map(|(index, mut hits)| {
            let theme = &lexicon.themes[index];
            hits.sort_by_key(|(s, text)| (*s != Sentiment::Negative, text.chars().count()));
            ThemeSummary {
                id: theme.id.clone(),
                th: theme.th.clone(),
                en: theme.en.clone(),
                comments: hits.len(),
                negative: hits
                    .iter()
                    .filter(|(s, _)| *s == Sentiment::Negative)
                    .count(),
                examples: hits.iter().take(3).map(|(_, t)| (*t).to_owned()).collect(),
            }
        })
        .collect();
    analysis
        .themes
        .sort_by(|a, b| b.comments.cmp(&a.comments).then_with(|| a.id.cmp(&b.id)));
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        Lexicon::parse(include_str!("../../rules/feedback/lexicon.toml")).unwrap()
    }

    #[test]
    fn thai_feedback_phrases_are_segmented_into_their_words() {
        let lex = lexicon();
        let cases = [
            ("บริการดีมาก", vec!["บริการ", "ดี", "มาก"]),
            ("รอนานมาก", vec!["รอ", "นาน", "มาก"]),
            ("เงินยังไม่เข้า", vec!["เงิน", "ยัง", "ไม่", "เข้า"]),
            ("เว็บไซต์ใช้ยาก", vec!["เว็บไซต์", "ใช้", "ยาก"]),
            ("ข้อมูลไม่ชัดเจน", vec!["ข้อมูล", "ไม่", "ชัดเจน"]),
            (
                "เจ้าหน้าที่สุภาพ ขอบคุณครับ",
                vec!["เจ้าหน้าที่", "สุภาพ", "ขอบคุณ", "ครับ"],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(lex.tokens(text), expected, "{text}");
        }
        assert_eq!(
            lex.tokens("Staff were NOT helpful, didn't call."),
            vec!["staff", "were", "not", "helpful", "didn't", "call"]
        );
    }

    #[test]
    fn negation_turns_the_sentiment_around() {
        let lex = lexicon();
        let score = |text: &str| Sentiment::of(lex.sentiment(text, &lex.tokens(text)));
        assert_eq!(score("บริการดีมาก"), Sentiment::Positive);
        assert_eq!(score("ไม่ดี"), Sentiment::Negative);
        assert_eq!(score("ไม่ช้า"), Sentiment::Positive);
        assert_eq!(score("รอนานมาก"), Sentiment::Negative);
        assert_eq!(score("เงินยังไม่เข้า"), Sentiment::Negative);
        assert_eq!(score("เจ้าหน้าที่ไม่สุภาพ"), Sentiment::Negative);
        assert_eq!(score("The staff were not helpful"), Sentiment::Negative);
        assert_eq!(score("fast and easy, thank you"), Sentiment::Positive);
        assert_eq!(score("ส่งเอกสารแล้ว"), Sentiment::Neutral);
    }

    #[test]
    fn comments_are_grouped_into_themes_with_representative_examples() {
        let lex = lexicon();
        let comments: Vec<String> = [
            "รอนานมาก กว่าจะได้คำตอบ",
            "รอนาน โทรถามก็ไม่มีใครรับสาย",
            "เงินยังไม่เข้าบัญชี",
            "ยังไม่ได้รับเงินเลยครับ",
            "เจ้าหน้าที่สุภาพ บริการดีมาก",
            "เว็บไซต์ใช้ยาก งงมาก",
            "Waiting too long for the payment",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let a = analyse(&lex, &comments);
        assert_eq!(a.comments, 7);
        assert_eq!((a.positive, a.negative), (1, 6), "{a:?}");
        let theme = |id: &str| {
            a.themes
                .iter()
                .find(|t| t.id == id)
                .unwrap_or_else(|| panic!("{id}: {a:?}"))
        };
        assert_eq!(theme("waiting_time").comments, 3);
        assert_eq!(theme("payment_not_received").comments, 3);
        assert_eq!(theme("staff_courtesy").comments, 2);
        assert_eq!(theme("website_difficulty").comments, 1);
        assert_eq!(theme("waiting_time").examples[0], "รอนานมาก กว่าจะได้คำตอบ");
        assert!(
            a.top_terms.iter().any(|(t, n)| t == "รอ" && *n == 2),
            "{:?}",
            a.top_terms
        );
        assert!(
            !a.top_terms.iter().any(|(t, _)| t == "มาก" || t == "ครับ"),
            "stop words are left out"
        );
    }

    #[test]
    fn a_broken_lexicon_names_its_line() {
        let error = Lexicon::parse("themes = []\npositive = [\"ดี\"]\nnegative = 3\n").unwrap_err();
        assert!(error.starts_with("line 3"), "{error}");
    }
}
