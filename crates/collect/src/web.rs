//! Home pages: one GET (redirects followed up to the limit), the response
//! headers, and the `<script src>` and `<link href>` URLs of the HTML,
//! parsed by html5ever (through `scraper`) and resolved against the
//! page's base URL as a browser would.

use crate::net::http_failure;
use crate::Failure;
use scraper::{Html, Selector};
use url::Url;

/// The most of a page read; a home page past it is cut there.
pub const MAX_PAGE_BYTES: usize = 5 << 20;

/// A fetched page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL asked for.
    pub requested: String,
    /// The final URL after redirects.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Response headers, names lower case, in order.
    pub headers: Vec<(String, String)>,
    /// Script URLs, resolved.
    pub scripts: Vec<String>,
    /// Link URLs, resolved.
    pub links: Vec<String>,
}

/// The absolute http(s) URLs of a page's `<script src>` and `<link href>`,
/// each once, in document order, resolved against `<base href>` if the page
/// has one, else against `page_url`.
pub fn page_urls(html: &str, page_url: &Url) -> (Vec<String>, Vec<String>) {
    let doc = Html::parse_document(html);
    let sel = |s: &str| Selector::parse(s).expect("static selector");
    let base = doc
        .select(&sel("base[href]"))
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| page_url.join(h.trim()).ok())
        .unwrap_or_else(|| page_url.clone());
    let collect = |selector: &str, attr: &str| {
        let mut out: Vec<String> = Vec::new();
        for el in doc.select(&sel(selector)) {
            let Some(v) = el.value().attr(attr) else {
                continue;
            };
            let Ok(u) = base.join(v.trim()) else { continue };
            if !matches!(u.scheme(), "http" | "https") {
                continue;
            }
            let s = u.to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    };
    (collect("script[src]", "src"), collect("link[href]", "href"))
}

/// GETs `url` and reads the page.
pub async fn fetch(client: &reqwest::Client, url: &str) -> Result<Page, Failure> {
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| http_failure(&format!("GET {url}"), e))?;
    let status = resp.status().as_u16();
    let final_url = resp.url().clone();
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    if status == 429 || status >= 500 {
        return Err(Failure {
            message: format!("GET {url}: HTTP {status}"),
            retry: true,
        });
    }
    let is_html = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .is_none_or(|(_, v)| v.contains("html"));
    let body = read_capped(resp)
        .await
        .map_err(|e| http_failure(&format!("GET {url}"), e))?;
    let (scripts, links) = if is_html {
        page_urls(&String::from_utf8_lossy(&body), &final_url)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Page {
        requested: url.to_string(),
        url: final_url.to_string(),
        status,
        headers,
        scripts,
        links,
    })
}

/// GETs `url` (with `accept`, if given) and returns the response when its
/// status is 200; any other status is a failure, worth a retry for 429
/// and 5xx.
pub async fn get_ok(
    client: &reqwest::Client,
    url: &str,
    accept: Option<&str>,
) -> Result<reqwest::Response, Failure> {
    let mut req = client.get(url);
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| http_failure(&format!("GET {url}"), e))?;
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(Failure {
            message: format!("GET {url}: HTTP {status}"),
            retry: status == 429 || status >= 500,
        });
    }
    Ok(resp)
}

/// The body, up to [`MAX_PAGE_BYTES`].
pub async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body: Vec<u8> = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = MAX_PAGE_BYTES - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_PAGE_BYTES {
            break;
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_resolve_against_the_base_and_skip_other_schemes() {
        let page = Url::parse("https://www.a.test/en/index.html").unwrap();
        let html = r#"<!doctype html><html><head>
            <base href="https://static.a.test/assets/">
            <script src="app.js"></script>
            <script src="//www.googletagmanager.com/gtag/js?id=G-1"></script>
            <script src="app.js"></script>
            <script>inline()</script>
            <link rel="stylesheet" href=" /css/site.css ">
            <link rel="icon" href="data:image/png;base64,AAAA">
            </head><body><script src="javascript:alert(1)"></script></body></html>"#;
        let (scripts, links) = page_urls(html, &page);
        assert_eq!(
            scripts,
            [
                "https://static.a.test/assets/app.js",
                "https://www.googletagmanager.com/gtag/js?id=G-1"
            ]
        );
        assert_eq!(links, ["https://static.a.test/css/site.css"]);
    }

    #[test]
    fn without_a_base_the_page_url_is_the_base() {
        let page = Url::parse("http://a.test/dir/").unwrap();
        let (scripts, _) = page_urls(r#"<script src="x.js"></script>"#, &page);
        assert_eq!(scripts, ["http://a.test/dir/x.js"]);
    }
}
