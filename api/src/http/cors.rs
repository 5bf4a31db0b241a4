//! Which browser origins may call the API with credentials.
//!
//! An allowed origin is exact (`https://app.example.org`) or covers the subdomains of a domain
//! (`https://*.example.org` admits `https://app.example.org` and `https://a.b.example.org`, not
//! `https://example.org` and not `http://app.example.org`).

use url::Url;

/// One allowed origin.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    /// Exactly this origin, as browsers send it.
    Exact(String),
    /// Any subdomain of `domain` on this scheme and port.
    Subdomains {
        scheme: String,
        domain: String,
        port: Option<u16>,
    },
}

/// The origins allowed to call the API from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins(Vec<Pattern>);

impl AllowedOrigins {
    /// Parses the configured origins; an entry that is neither a bare origin nor a wildcard
    /// over subdomains is an error naming it.
    pub fn parse<'a>(origins: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut patterns = Vec::new();
        for origin in origins {
            patterns.push(parse_one(origin).ok_or_else(|| {
                format!(
                    "CORS origin `{origin}` must be a bare origin such as https://app.example.org, \
                     or https://*.example.org for every subdomain"
                )
            })?);
        }
        Ok(Self(patterns))
    }

    /// Whether a request from `origin` (the `Origin` header) may call the API.
    pub fn allows(&self, origin: &str) -> bool {
        let Ok(url) = Url::parse(origin) else {
            return false;
        };
        if url.origin().ascii_serialization() != origin {
            return false;
        }
        self.0.iter().any(|pattern| match pattern {
            Pattern::Exact(exact) => exact == origin,
            Pattern::Subdomains {
                scheme,
                domain,
                port,
            } => {
                url.scheme() == scheme
                    && url.port() == *port
                    && url.host_str().is_some_and(|host| {
                        host.strip_suffix(domain.as_str())
                            .is_some_and(|label| label.len() > 1 && label.ends_with('.'))
                    })
            }
        })
    }
}

fn parse_one(origin: &str) -> Option<Pattern> {
    let url = Url::parse(origin).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let serialized = url.origin().ascii_serialization();
    let host = url.host_str()?;
    match host.strip_prefix("*.") {
        Some(domain) if !domain.contains('*') && domain.contains('.') && serialized == origin => {
            Some(Pattern::Subdomains {
                scheme: url.scheme().to_owned(),
                domain: domain.to_owned(),
                port: url.port(),
            })
        }
        Some(_) => None,
        None if !host.contains('*') && serialized == origin => Some(Pattern::Exact(serialized)),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(origins: &[&str]) -> AllowedOrigins {
        match AllowedOrigins::parse(origins.iter().copied()) {
            Ok(allowed) => allowed,
            Err(err) => panic!("{err}"),
        }
    }

    #[test]
    fn exact_origins_match_exactly() {
        let origins = allowed(&["https://app.example.org", "http://localhost:5173"]);
        assert!(origins.allows("https://app.example.org"));
        assert!(origins.allows("http://localhost:5173"));
        assert!(!origins.allows("https://app.example.org:8443"));
        assert!(!origins.allows("http://app.example.org"));
        assert!(!origins.allows("https://evil.example.com"));
        assert!(!origins.allows("null"));
    }

    #[test]
    fn wildcards_cover_subdomains_only() {
        let origins = allowed(&["https://*.example.org"]);
        assert!(origins.allows("https://app.example.org"));
        assert!(origins.allows("https://a.b.example.org"));
        assert!(!origins.allows("https://example.org"));
        assert!(!origins.allows("https://evilexample.org"));
        assert!(!origins.allows("http://app.example.org"));
        assert!(!origins.allows("https://app.example.org.evil.com"));
        assert!(!origins.allows("https://app.example.org:444"));
    }

    #[test]
    fn malformed_origins_are_refused() {
        for bad in [
            "app.example.org",
            "https://app.example.org/",
            "https://app.example.org/x",
            "*",
            "https://*",
            "https://*.org.*",
            "https://a*.example.org",
            "https://app.*.example.org",
            "ftp://app.example.org",
        ] {
            assert!(AllowedOrigins::parse([bad]).is_err(), "{bad} accepted");
        }
    }
}
