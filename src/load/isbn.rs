//! ISBN check digits: a wrong digit on a printed book is expensive, so we refuse it early.

/// Checks an ISBN-13 (or legacy ISBN-10) with hyphens or spaces; returns the bare digits.
pub fn check(isbn: &str) -> Result<String, String> {
    let digits: String = isbn.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if let Some(bad) = digits.chars().enumerate().find(|&(i, c)| {
        !(c.is_ascii_digit() || (c == 'X' || c == 'x') && i == 9 && digits.len() == 10)
    }) {
        return Err(format!("`{}` is not a digit", bad.1));
    }
    match digits.len() {
        13 => {
            let sum: u32 = digits
                .bytes()
                .take(12)
                .enumerate()
                .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
                .sum();
            let expected = (10 - sum % 10) % 10;
            let got = u32::from(digits.as_bytes()[12] - b'0');
            if expected != got {
                return Err(format!(
                    "check digit is {got}, but the first twelve digits need {expected}"
                ));
            }
            if !digits.starts_with("978") && !digits.starts_with("979") {
                return Err("an ISBN-13 starts with 978 or 979".into());
            }
            Ok(digits)
        }
        10 => {
            let sum: u32 = digits
                .bytes()
                .enumerate()
                .map(|(i, b)| {
                    let v = if b == b'X' || b == b'x' {
                        10
                    } else {
                        u32::from(b - b'0')
                    };
                    v * (10 - i as u32)
                })
                .sum();
            if !sum.is_multiple_of(11) {
                return Err("the ISBN-10 check digit is wrong".into());
            }
            Ok(digits.to_ascii_uppercase())
        }
        n => Err(format!("an ISBN has 13 digits, this one has {n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn valid_isbns() {
        assert_eq!(check("978-90-0000-000-5").unwrap(), "9789000000005");
        assert_eq!(check("978 90 0000 001 2").unwrap(), "9789000000012");
        assert_eq!(check("0-306-40615-2").unwrap(), "0306406152");
        assert_eq!(check("080442957X").unwrap(), "080442957X");
    }

    #[test]
    fn wrong_check_digit() {
        let e = check("978-90-0000-000-4").unwrap_err();
        assert!(
            e.contains("check digit is 4") && e.contains("need 5"),
            "{e}"
        );
    }

    #[test]
    fn wrong_length_and_letters() {
        assert!(check("978-90-0000-00").unwrap_err().contains("13 digits"));
        assert!(
            check("978-9O-0000-000-5")
                .unwrap_err()
                .contains("not a digit")
        );
        assert!(check("123-90-0000-000-5").is_err());
    }
}
