//! Archived evidence: the Wayback Machine capture of a home page nearest a
//! date, found through the CDX API and read raw (`id_`), so the page is the
//! one the archive stored, with the original headers it kept as
//! `X-Archive-Orig-*`.

use crate::web::{page_urls, read_capped};
use crate::{net::http_failure, Failure};
use serde_json::Value;
use time::macros::format_description;
use time::{Date, PrimitiveDateTime};

/// The Wayback Machine.
pub const WAYBACK: &str = "https://web.archive.org";

/// One capture listed by the CDX API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// `YYYYMMDDhhmmss`.
    pub timestamp: String,
    /// The URL that was captured.
    pub original: String,
}

impl Capture {
    /// The raw capture URL (`…/web/<timestamp>id_/<original>`).
    pub fn raw_url(&self, wayback: &str) -> String {
        format!(
            "{}/web/{}id_/{}",
            wayback.trim_end_matches('/'),
            self.timestamp,
            self.original
        )
    }

    /// The capture time as RFC 3339 UTC.
    pub fn observed_at(&self) -> Option<String> {
        let t = PrimitiveDateTime::parse(
            &self.timestamp,
            format_description!("[year][month][day][hour][minute][second]"),
        )
        .ok()?;
        Some(whoserves_core::date::stamp_utc(t.assume_utc()))
    }
}

/// The CDX query for captures of `host`'s home page with status 200,
/// `window_days` either side of `at`, one per day.
pub fn cdx_url(wayback: &str, host: &str, at: Date, window_days: i64) -> String {
    let day = format_description!("[year][month][day]");
    let from = (at - time::Duration::days(window_days))
        .format(day)
        .unwrap_or_default();
    let to = (at + time::Duration::days(window_days))
        .format(day)
        .unwrap_or_default();
    format!(
        "{}/cdx/search/cdx?url={host}/&output=json&fl=timestamp,original,statuscode&filter=statuscode:200&collapse=timestamp:8&from={from}&to={to}&limit=5000",
        wayback.trim_end_matches('/')
    )
}

/// The capture nearest `at` (noon UTC) in a CDX JSON answer (a header row,
/// then one row per capture); ties go to the earlier capture.
pub fn nearest(cdx: &Value, at: Date) -> Option<Capture> {
    let rows = cdx.as_array()?;
    let header: Vec<&str> = rows
        .first()?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (ts, orig) = (col("timestamp")?, col("original")?);
    let target = at.midnight().assume_utc().unix_timestamp() + 12 * 3600;
    rows.iter()
        .skip(1)
        .filter_map(|r| {
            let r = r.as_array()?;
            let c = Capture {
                timestamp: r.get(ts)?.as_str()?.to_string(),
                original: r.get(orig)?.as_str()?.to_string(),
            };
            let t = PrimitiveDateTime::parse(
                &c.timestamp,
                format_description!("[year][month][day][hour][minute][second]"),
            )
            .ok()?
            .assume_utc()
            .unix_timestamp();
            Some(((t - target).abs(), t, c))
        })
        .min_by_key(|(d, t, _)| (*d, *t))
        .map(|(_, _, c)| c)
}

/// What a raw capture holds.
#[derive(Debug, Clone)]
pub struct Archived {
    /// The capture.
    pub capture: Capture,
    /// The raw capture URL read.
    pub url: String,
    /// The original response headers the archive kept, prefix removed,
    /// lower case.
    pub headers: Vec<(String, String)>,
    /// Script URLs of the captured page, resolved against the original URL.
    pub scripts: Vec<String>,
    /// Link URLs, likewise.
    pub links: Vec<String>,
}

/// Reads the raw capture.
pub async fn read(
    client: &reqwest::Client,
    wayback: &str,
    capture: Capture,
) -> Result<Archived, Failure> {
    let url = capture.raw_url(wayback);
    let resp = crate::web::get_ok(client, &url, None).await?;
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .filter_map(|(k, v)| {
            let name = k.as_str().strip_prefix("x-archive-orig-")?;
            Some((
                name.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            ))
        })
        .collect();
    let body = read_capped(resp)
        .await
        .map_err(|e| http_failure(&format!("GET {url}"), e))?;
    let base = url::Url::parse(&capture.original).map_err(|e| Failure {
        message: format!("the captured URL {} is unreadable: {e}", capture.original),
        retry: false,
    })?;
    let (scripts, links) = page_urls(&String::from_utf8_lossy(&body), &base);
    Ok(Archived {
        capture,
        url,
        headers,
        scripts,
        links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    #[test]
    fn the_nearest_capture_is_chosen() {
        let cdx = json!([
            ["timestamp", "original", "statuscode"],
            ["20200301080000", "http://a.test/", "200"],
            ["20200520230000", "http://a.test/", "200"],
            ["20200601000000", "https://www.a.test/", "200"],
        ]);
        let c = nearest(&cdx, date!(2020 - 05 - 21)).unwrap();
        assert_eq!(c.timestamp, "20200520230000");
        assert_eq!(c.observed_at().unwrap(), "2020-05-20T23:00:00Z");
        assert_eq!(
            c.raw_url("https://web.archive.org/"),
            "https://web.archive.org/web/20200520230000id_/http://a.test/"
        );
        assert_eq!(
            nearest(&json!([["timestamp", "original"]]), date!(2020 - 05 - 21)),
            None
        );
    }

    #[test]
    fn the_cdx_query_names_the_window() {
        let u = cdx_url(WAYBACK, "a.test", date!(2020 - 05 - 21), 30);
        assert!(u.starts_with("https://web.archive.org/cdx/search/cdx?url=a.test/&output=json"));
        assert!(u.contains("&from=20200421&to=20200620"));
    }
}
