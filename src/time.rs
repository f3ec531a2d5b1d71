//! Build time for metadata. Never the clock: `SOURCE_DATE_EPOCH` or a date derived from the book,
//! so that the same sources give the same bytes.

/// A UTC date and time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Seconds since 1970, for formats that count that way.
    pub epoch: i64,
}

impl Stamp {
    pub fn from_epoch(secs: i64) -> Stamp {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Stamp {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
            epoch: secs,
        }
    }

    /// 1 January of the book's year at midnight UTC: the default when no epoch is given.
    pub fn new_year(year: i32) -> Stamp {
        let y = i64::from(year);
        // Days from 1970-01-01 to y-01-01, via the inverse of the algorithm above.
        let yp = y - 1;
        let era = yp.div_euclid(400);
        let yoe = yp - era * 400;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + 306;
        let days = era * 146_097 + doe - 719_468;
        Stamp::from_epoch(days * 86_400)
    }

    /// `2026-01-01T00:00:00Z`, as `dcterms:modified` and XMP want it.
    pub fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// The timestamp zip entries carry (DOS time starts in 1980).
    pub fn zip(&self) -> zip::DateTime {
        let y = self.year.clamp(1980, 2107) as u16;
        zip::DateTime::from_date_and_time(
            y,
            self.month as u8,
            self.day as u8,
            self.hour as u8,
            self.minute as u8,
            self.second as u8,
        )
        .unwrap_or_default()
    }
}

/// The last second of the year 9999: dates in EPUB, PDF and XMP have four-digit years.
pub const MAX_EPOCH: i64 = 253_402_300_799;

/// Reads `SOURCE_DATE_EPOCH`: whole seconds since 1970-01-01, up to the end of 9999. A date
/// before 1970 or after 9999 cannot be written in the outputs' date formats, and would be a
/// mistake in the build environment rather than a wish.
pub fn parse_epoch(value: &str) -> Result<i64, String> {
    let v = value.trim();
    let range = format!("from 0 (1970-01-01) to {MAX_EPOCH} (9999-12-31T23:59:59Z)");
    match v.parse::<i64>() {
        Ok(n) if (0..=MAX_EPOCH).contains(&n) => Ok(n),
        Ok(_) => Err(format!(
            "SOURCE_DATE_EPOCH={v} is out of range: it must be a whole number of seconds {range}"
        )),
        Err(_)
            if !v.is_empty()
                && v.trim_start_matches(['-', '+'])
                    .bytes()
                    .all(|b| b.is_ascii_digit()) =>
        {
            Err(format!(
                "SOURCE_DATE_EPOCH={v} is out of range: it must be a whole number of seconds {range}"
            ))
        }
        Err(_) => Err(format!(
            "SOURCE_DATE_EPOCH must be a whole number of seconds {range}, not `{v}`"
        )),
    }
}

/// `SOURCE_DATE_EPOCH` when set (reproducible-builds.org), else 1 January of `year`.
pub fn build_stamp(epoch: Option<i64>, year: Option<i32>) -> Stamp {
    match epoch {
        Some(e) => Stamp::from_epoch(e),
        None => Stamp::new_year(year.unwrap_or(2000)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_to_civil() {
        assert_eq!(Stamp::from_epoch(0).iso(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Stamp::from_epoch(1_700_000_000).iso(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(Stamp::from_epoch(951_782_400).iso(), "2000-02-29T00:00:00Z");
        assert_eq!(Stamp::new_year(2026).iso(), "2026-01-01T00:00:00Z");
        assert_eq!(Stamp::new_year(2000).iso(), "2000-01-01T00:00:00Z");
        assert_eq!(Stamp::from_epoch(MAX_EPOCH).iso(), "9999-12-31T23:59:59Z");
        assert_eq!(Stamp::new_year(1000).iso(), "1000-01-01T00:00:00Z");
    }

    #[test]
    fn source_date_epoch_range() {
        assert_eq!(parse_epoch(" 1700000000 "), Ok(1_700_000_000));
        assert_eq!(parse_epoch("0"), Ok(0));
        assert_eq!(parse_epoch(&MAX_EPOCH.to_string()), Ok(MAX_EPOCH));
        for bad in [
            "-1",
            "253402300800",
            "99999999999999999999999",
            "gisteren",
            "1.5",
        ] {
            assert!(parse_epoch(bad).is_err(), "{bad}");
        }
        assert!(parse_epoch("-1").unwrap_err().contains("out of range"));
        assert!(
            parse_epoch("99999999999999999999999")
                .unwrap_err()
                .contains("out of range")
        );
    }
}
