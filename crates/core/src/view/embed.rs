//! The embed snippet a reporter pastes into an article: an iframe in
//! Datawrapper's responsive shape, a six-line resizer, and a `<noscript>`
//! static image.
//!
//! The embedded page posts its height as
//! `{"datawrapper-height": {"<id>": px}}`, so the resizer scripts
//! newsrooms already run for Datawrapper resize it too; [`RESIZER`] is our
//! own, for pages that have none. It matches the message to its iframe by
//! `event.source`, never by origin or id alone, as Datawrapper's newer
//! embed code does. The iframe's `height` is the fixed fallback when a CMS
//! strips scripts; the frame then scrolls inside, so nothing is cut off.

use super::svg::xml_escape;

/// The message key the embed posts its height under.
pub const HEIGHT_KEY: &str = "datawrapper-height";

/// The fallback height of the iframe, in pixels.
pub const FALLBACK_HEIGHT: u32 = 600;

/// Our resizer: six lines, no dependencies, for pages without one.
pub const RESIZER: &str = r#"<script>
window.addEventListener("message", function (e) {
  var h = e.data && e.data["datawrapper-height"]; if (!h) return;
  var f = document.querySelectorAll("iframe");
  for (var i = 0; i < f.length; i++) if (f[i].contentWindow === e.source)
    for (var k in h) f[i].style.height = h[k] + "px";
});
</script>"#;

/// What an embedded view is, for its `aria-label`: `view` is the viewer's
/// `view=` name (`graph`, `table` or `charts`).
pub fn label(view: &str) -> &'static str {
    match view {
        "table" => "Interactive table: which providers serve which firms",
        "charts" => "Charts: which providers serve which firms",
        _ => "Interactive graph: which providers serve which firms",
    }
}

/// The id an embed of the view `query` posts its heights under:
/// `whoserves-` and eight hex digits of the query's SHA-256. Two embeds
/// of different views on one page get different ids, so resizers that
/// find frames by id (Datawrapper's older one) size each its own; the
/// same view always gets the same id.
pub fn id_for(query: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(query.as_bytes());
    let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("whoserves-{hex}")
}

/// The snippet for embedding `url` (the page with `embed=1`) under
/// `title`, described by `label` (see [`label`]), with `id` in its
/// messages and the iframe's id, and `image` as the `<noscript>` fallback
/// (a PNG the reporter uploads beside the article).
pub fn snippet(url: &str, title: &str, label: &str, id: &str, image: &str) -> String {
    let (url, title, label, id, image) = (
        xml_escape(url),
        xml_escape(title),
        xml_escape(label),
        xml_escape(id),
        xml_escape(image),
    );
    format!(
        "<iframe title=\"{title}\" aria-label=\"{label}\" id=\"datawrapper-chart-{id}\" src=\"{url}\" frameborder=\"0\" loading=\"lazy\" style=\"width: 0; min-width: 100% !important; border: none;\" height=\"{FALLBACK_HEIGHT}\" data-external=\"1\"></iframe>\n{RESIZER}\n<noscript><img src=\"{image}\" alt=\"{title}\" style=\"max-width: 100%; height: auto;\"></noscript>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_has_title_label_lazy_height_and_fallback() {
        let s = snippet(
            "https://site.example/sub/?embed=1&q=a",
            "Who serves \"X\" <firms>",
            label("graph"),
            "ws-1",
            "whoserves-graph.png",
        );
        // Without scripts the frame keeps its height and scrolls inside.
        assert!(!s.contains("scrolling=\"no\""));
        assert!(s.contains("title=\"Who serves &quot;X&quot; &lt;firms&gt;\""));
        assert!(s.contains("aria-label=\"Interactive graph"));
        assert!(s.contains("loading=\"lazy\""));
        assert!(s.contains("height=\"600\""));
        assert!(s.contains("src=\"https://site.example/sub/?embed=1&amp;q=a\""));
        assert!(s.contains("id=\"datawrapper-chart-ws-1\""));
        assert!(s.contains("<noscript><img src=\"whoserves-graph.png\""));
        assert!(
            snippet("u", "t", label("table"), "i", "p").contains("aria-label=\"Interactive table")
        );
        assert_eq!(id_for("bundle=a&cat=email"), id_for("bundle=a&cat=email"));
        assert_ne!(id_for("bundle=a&cat=email"), id_for("bundle=a&cat=dns"));
        assert!(id_for("x").starts_with("whoserves-") && id_for("x").len() == 18);
        assert_eq!(
            RESIZER.lines().count(),
            8,
            "six lines of script inside the tags"
        );
    }
}
