//! Parsing the bundle's dates: `YYYY-MM-DD`, or an RFC 3339 date-time for
//! `observed_at`.

use crate::model::{Date, Timestamp};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

/// Parses a calendar date, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("invalid date \"{text}\" ({e}); expected YYYY-MM-DD"))
}

/// Parses `YYYY-MM-DD` or an RFC 3339 date-time such as
/// `2020-05-21T10:00:00Z`; a date-time is reduced to its UTC date.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    if text.len() == 10 {
        return parse_date(text).map(|date| Timestamp {
            text: text.into(),
            date,
        });
    }
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|dt| Timestamp {
            text: text.into(),
            date: dt.to_offset(time::UtcOffset::UTC).date(),
        })
        .map_err(|e| {
            format!(
                "invalid date-time \"{text}\" ({e}); expected YYYY-MM-DD or RFC 3339, e.g. 2020-05-21T10:00:00Z"
            )
        })
}

/// A moment as `YYYY-MM-DDThh:mm:ssZ` in UTC: the form collected
/// observations are stamped with.
pub fn stamp_utc(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

/// An RFC 3339 date-time (any offset) as [`stamp_utc`] writes it.
pub fn rfc3339_as_utc(text: &str) -> Option<String> {
    OffsetDateTime::parse(text, &Rfc3339).ok().map(stamp_utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            crate::model::format_date(parse_date("2020-05-21").unwrap()),
            "2020-05-21"
        );
        assert!(parse_date("2020-02-30").is_err());
        assert!(parse_date("21/05/2020").is_err());
    }

    #[test]
    fn stamps_are_utc() {
        assert_eq!(
            rfc3339_as_utc("2026-12-02T05:00:09-05:00").as_deref(),
            Some("2026-12-02T10:00:09Z")
        );
        assert_eq!(rfc3339_as_utc("2026-12-02"), None);
    }

    #[test]
    fn timestamps_reduce_to_utc_dates() {
        let t = parse_timestamp("2020-05-21T23:30:00-02:00").unwrap();
        assert_eq!(crate::model::format_date(t.date), "2020-05-22");
        assert!(parse_timestamp("yesterday").is_err());
    }
}
