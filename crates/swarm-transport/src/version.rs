//! Engine API versions: parsing, ordering and the negotiation rule.
//!
//! Kept apart from the HTTP transport (and compiled without the `http` feature) because the
//! rule is pure arithmetic that the replay transport and tests use too: we speak
//! [`MIN_API_VERSION`] up to [`MAX_API_VERSION`], and use `min(ours, daemon's)`.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// The highest Engine API version this crate speaks (Docker Engine 27.x).
///
/// Everything swarm-tasks reads (`/tasks`, `/services?status=true`, `/nodes`, `/info`) has
/// the same shape from 1.41 up to this version; newer daemons are asked for this one.
pub const MAX_API_VERSION: &str = "1.47";

/// The lowest Engine API version this crate speaks; older daemons get [`Error::ApiVersion`].
pub const MIN_API_VERSION: &str = "1.24";

/// An Engine API version such as `1.41`, ordered numerically (`1.9 < 1.10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    major: u32,
    minor: u32,
}

impl ApiVersion {
    /// [`MAX_API_VERSION`] as a value.
    pub const MAX: Self = Self::new(1, 47);
    /// [`MIN_API_VERSION`] as a value.
    pub const MIN: Self = Self::new(1, 24);
    /// The first version whose `GET /services` takes `status=true` (task counts).
    pub const SERVICE_STATUS: Self = Self::new(1, 41);

    /// A version from its two numbers.
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    /// Parses `MAJOR.MINOR` (surrounding blanks allowed); `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let (major, minor) = text.trim().split_once('.')?;
        let digits =
            |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
        if !digits(major) || !digits(minor) {
            return None;
        }
        Some(Self::new(major.parse().ok()?, minor.parse().ok()?))
    }

    /// The version to use with a daemon whose highest version is `daemon`:
    /// `min(MAX, daemon)`, or [`Error::ApiVersion`] when the daemon is older than [`Self::MIN`].
    pub fn negotiate(endpoint: &str, daemon: Self) -> Result<Self, Error> {
        if daemon < Self::MIN {
            return Err(Error::ApiVersion {
                endpoint: endpoint.to_owned(),
                daemon: daemon.to_string(),
                minimum: Self::MIN.to_string(),
            });
        }
        Ok(daemon.min(Self::MAX))
    }

    /// The path prefix for requests: `/v1.41`.
    pub fn path_prefix(self) -> String {
        format!("/v{self}")
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for ApiVersion {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text).ok_or_else(|| Error::Config {
            message: format!(
                "{text:?} is not an Engine API version (expected MAJOR.MINOR, e.g. 1.41)"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_numerically() {
        let v19 = ApiVersion::parse("1.9").unwrap();
        let v110 = ApiVersion::parse(" 1.10 ").unwrap();
        assert!(v19 < v110);
        assert_eq!(v110.to_string(), "1.10");
        assert_eq!(ApiVersion::parse(MAX_API_VERSION), Some(ApiVersion::MAX));
        assert_eq!(ApiVersion::parse(MIN_API_VERSION), Some(ApiVersion::MIN));
        for bad in [
            "",
            "1",
            "1.",
            ".4",
            "v1.41",
            "1.41.2",
            "1.-4",
            "a.b",
            "99999999999.1",
        ] {
            assert_eq!(ApiVersion::parse(bad), None, "{bad}");
        }
        assert!(matches!(
            "x".parse::<ApiVersion>(),
            Err(Error::Config { .. })
        ));
    }

    #[test]
    fn negotiation_takes_the_lower_version() {
        let endpoint = "tcp://127.0.0.1:2375";
        let daemon = ApiVersion::new(1, 41);
        assert_eq!(ApiVersion::negotiate(endpoint, daemon).unwrap(), daemon);
        let newer = ApiVersion::new(1, 56);
        assert_eq!(
            ApiVersion::negotiate(endpoint, newer).unwrap(),
            ApiVersion::MAX
        );
        assert_eq!(
            ApiVersion::negotiate(endpoint, ApiVersion::MIN).unwrap(),
            ApiVersion::MIN
        );
        let err = ApiVersion::negotiate(endpoint, ApiVersion::new(1, 23)).unwrap_err();
        let Error::ApiVersion {
            daemon, minimum, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!((daemon.as_str(), minimum.as_str()), ("1.23", "1.24"));
        assert_eq!(ApiVersion::new(1, 41).path_prefix(), "/v1.41");
    }
}
