//! Publication dates: ISO 8601 in, RFC 3339 UTC out. A leaf every layer may use.

/// Parses an ISO 8601 date or date-time into seconds since the epoch. Times without an
/// offset are taken as UTC; a bare date is midnight UTC.
pub fn parse_date(text: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(time) = DateTime::parse_from_str(text, format) {
            return Some(time.timestamp());
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(time.and_utc().timestamp());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

/// Formats seconds since the epoch as an RFC 3339 UTC time, for reports.
pub fn format_date(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| seconds.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_several_iso_forms() {
        assert_eq!(parse_date("2024-03-01"), Some(1709251200));
        assert_eq!(parse_date("2024-03-01T00:00:00Z"), Some(1709251200));
        assert_eq!(parse_date("2024-03-01 02:00:00"), Some(1709258400));
        assert_eq!(
            parse_date("2024-03-01T00:00:00.250-01:00"),
            Some(1709254800)
        );
        assert_eq!(parse_date("March 1"), None);
        assert_eq!(format_date(1709251200), "2024-03-01T00:00:00Z");
    }
}
