//! How long an SMS is. A text of only GSM-7 characters fits 160 in one segment (153 per
//! segment when longer); anything else, Thai included, goes as UCS-2: 70 characters in one
//! segment, 67 per segment when longer. Each segment is charged and each may arrive apart, so
//! Kaset's texts fit one or two.

/// The most segments one of Kaset's texts may take.
pub const MAX_SEGMENTS: usize = 2;

/// GSM 03.38's basic characters (one septet each).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Its extension characters (an escape and a septet: two each).
const GSM7_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// The segments `text` takes.
pub fn segments(text: &str) -> usize {
    let gsm_units: Option<usize> = text
        .chars()
        .map(|c| {
            if GSM7_BASIC.contains(c) {
                Some(1)
            } else if GSM7_EXTENDED.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .sum();
    let (units, single, per_part) = match gsm_units {
        Some(units) => (units, 160, 153),
        None => (text.encode_utf16().count(), 70, 67),
    };
    match units {
        0 => 1,
        n if n <= single => 1,
        n => n.div_ceil(per_part),
    }
}

/// `text` cut to fit `MAX_SEGMENTS`, with an ellipsis where it was cut: a safety net under
/// the catalogue's texts, which a test keeps within the budget.
pub fn fit(text: &str) -> String {
    if segments(text) <= MAX_SEGMENTS {
        return text.to_owned();
    }
    let mut cut: String = text.to_owned();
    while !cut.is_empty() && segments(&format!("{cut}…")) > MAX_SEGMENTS {
        cut.pop();
    }
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_goes_as_ucs2_seventy_in_one_segment_and_sixty_seven_per_segment_after() {
        let thai = |n: usize| "ก".repeat(n);
        assert_eq!(segments(&thai(70)), 1);
        assert_eq!(segments(&thai(71)), 2);
        assert_eq!(segments(&thai(134)), 2);
        assert_eq!(segments(&thai(135)), 3);
        // One Thai letter makes the whole text UCS-2.
        assert_eq!(segments(&format!("{}ก", "a".repeat(69))), 1);
        assert_eq!(segments(&format!("{}ก", "a".repeat(70))), 2);
    }

    #[test]
    fn plain_latin_goes_as_gsm7_where_extension_characters_count_twice() {
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"a".repeat(307)), 3);
        assert_eq!(segments(&format!("{}€", "a".repeat(158))), 1);
        assert_eq!(segments(&format!("{}€", "a".repeat(159))), 2);
    }

    #[test]
    fn a_text_too_long_is_cut_to_two_segments() {
        let long = "ก".repeat(200);
        let cut = fit(&long);
        assert_eq!(segments(&cut), 2);
        assert!(cut.ends_with('…'));
        assert_eq!(fit("สั้น"), "สั้น");
    }
}
