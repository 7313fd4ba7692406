//! Charts drawn on the server as SVG: no script, readable on a phone, with the same numbers
//! in a table beside each (the SVG is hidden from screen readers, which read the table).

use std::fmt::Write;

/// Escapes text for SVG (XML).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const WIDTH: f64 = 320.0;
const ROW: f64 = 26.0;

/// Horizontal bars, one per label, scaled to `max`; the value is written at the bar's end.
pub fn bars(items: &[(String, f64, String)], max: f64) -> String {
    let height = ROW * items.len() as f64 + 4.0;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="presentation" aria-hidden="true" focusable="false">"#
    );
    let label_width = 120.0;
    let bar_room = WIDTH - label_width - 48.0;
    for (i, (label, value, shown)) in items.iter().enumerate() {
        let y = i as f64 * ROW + 2.0;
        let length = if max > 0.0 {
            value / max * bar_room
        } else {
            0.0
        };
        let short: String = label.chars().take(18).collect();
        let _ = write!(
            svg,
            r##"<text x="0" y="{ty}" font-size="11" fill="#374151">{label}</text><rect x="{label_width}" y="{y}" width="{length:.1}" height="18" rx="3" fill="#166534"/><text x="{tx:.1}" y="{ty}" font-size="11" fill="#111827">{shown}</text>"##,
            ty = y + 13.0,
            label = escape(&short),
            tx = label_width + length + 4.0,
            shown = escape(shown),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A line over the months; a month without ratings leaves a gap.
pub fn line(points: &[(String, Option<f64>)], max: f64) -> String {
    let height = 140.0;
    let (left, bottom, top) = (28.0, 120.0, 8.0);
    let step = if points.len() > 1 {
        (WIDTH - left - 8.0) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let mut svg = format!(
        r##"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="presentation" aria-hidden="true" focusable="false"><line x1="{left}" y1="{bottom}" x2="{WIDTH}" y2="{bottom}" stroke="#9ca3af"/><text x="0" y="{top_label}" font-size="10" fill="#374151">{max:.0}</text><text x="0" y="{bottom}" font-size="10" fill="#374151">0</text>"##,
        top_label = top + 8.0,
    );
    let mut path = String::new();
    for (i, (label, value)) in points.iter().enumerate() {
        let x = left + step * i as f64;
        if let Some(v) = value {
            let y = bottom - (v / max.max(1.0)) * (bottom - top);
            let _ = write!(
                path,
                "{}{x:.1},{y:.1} ",
                if path.is_empty() || points[i.saturating_sub(1)].1.is_none() {
                    "M"
                } else {
                    "L"
                }
            );
            let _ = write!(
                svg,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="#166534"/>"##
            );
        }
        if i % 2 == 0 {
            let _ = write!(
                svg,
                r##"<text x="{x:.1}" y="{ly}" font-size="9" text-anchor="middle" fill="#374151">{}</text>"##,
                escape(label),
                ly = bottom + 14.0
            );
        }
    }
    let _ = write!(
        svg,
        r##"<path d="{}" fill="none" stroke="#166534" stroke-width="2"/></svg>"##,
        path.trim()
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_are_scaled() {
        let svg = bars(
            &[
                ("<script>".to_owned(), 50.0, "50%".to_owned()),
                ("ข้าว".to_owned(), 100.0, "100%".to_owned()),
            ],
            100.0,
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(r#"width="76.0""#), "{svg}"); // half of the bar room (152)
        assert!(svg.contains(r#"width="152.0""#));
    }

    #[test]
    fn a_month_without_ratings_breaks_the_line() {
        let svg = line(
            &[
                ("01".to_owned(), Some(50.0)),
                ("02".to_owned(), None),
                ("03".to_owned(), Some(100.0)),
            ],
            100.0,
        );
        assert_eq!(svg.matches('M').count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
