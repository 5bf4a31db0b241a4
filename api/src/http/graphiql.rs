//! GraphiQL at `/graphiql`, served entirely from the binary: pinned production builds of
//! GraphiQL, React and ReactDOM (`api/assets/graphiql/README.md` says where each comes from)
//! and a page that loads only same-origin files, so it works offline and under a strict
//! content security policy.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::middleware::Compress;
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

/// The page's title.
const TITLE: &str = "Peer learning API";

/// The endpoint GraphiQL sends queries to.
const ENDPOINT: &str = "/graphql";

/// Where the assets are served.
const ASSETS_PREFIX: &str = "/graphiql/assets";

/// The page's policy: every script, style sheet and request is same-origin. GraphiQL's fonts
/// and a few of its icons are `data:` URLs inside its style sheet, and the favicon is an empty
/// `data:` URL (so the browser does not ask for `/favicon.ico`). Styles also allow
/// `'unsafe-inline'`: GraphiQL's dialogs (settings, short keys; Radix UI through
/// react-remove-scroll-bar) insert a `<style>` element when they open, which `style-src 'self'`
/// blocks. Inline styles cannot run code; scripts stay `'self'` only.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// Assets never change under a URL: vendored files carry their version in their path, ours a
/// hash of their content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// A file served under `/graphiql/assets/`.
struct Asset {
    /// Its path under `/graphiql/assets/`.
    path: String,
    content_type: &'static str,
    body: &'static [u8],
}

impl Asset {
    fn url(&self) -> String {
        format!("{ASSETS_PREFIX}/{}", self.path)
    }
}

/// A vendored file: its URL path is its path under `api/assets/graphiql/`, whose first folder
/// names the package and its version.
macro_rules! vendored {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: $path.to_owned(),
            content_type: $content_type,
            body: include_bytes!(concat!("../../assets/graphiql/", $path)),
        }
    };
}

/// The page and everything it loads, in loading order.
struct Bundle {
    styles: Vec<Asset>,
    scripts: Vec<Asset>,
    html: String,
}

impl Bundle {
    fn new() -> Self {
        let page_css: &'static [u8] = include_bytes!("../../assets/graphiql/page.css");
        let start_js: &'static [u8] = include_bytes!("../../assets/graphiql/start.js");
        let ours = format!("peerlearn-{}", content_hash(&[page_css, start_js]));
        let styles = vec![
            vendored!("graphiql-3.9.0/graphiql.min.css", CSS),
            Asset {
                path: format!("{ours}/page.css"),
                content_type: CSS,
                body: page_css,
            },
        ];
        let scripts = vec![
            vendored!("react-18.3.1/react.production.min.js", JAVASCRIPT),
            vendored!("react-dom-18.3.1/react-dom.production.min.js", JAVASCRIPT),
            vendored!("graphiql-3.9.0/graphiql.min.js", JAVASCRIPT),
            Asset {
                path: format!("{ours}/start.js"),
                content_type: JAVASCRIPT,
                body: start_js,
            },
        ];
        let html = page_html(&styles, &scripts);
        Self {
            styles,
            scripts,
            html,
        }
    }

    fn asset(&self, path: &str) -> Option<&Asset> {
        self.styles
            .iter()
            .chain(&self.scripts)
            .find(|asset| asset.path == path)
    }
}

static BUNDLE: LazyLock<Bundle> = LazyLock::new(Bundle::new);

/// The first 12 hex digits of the SHA-256 of `parts`, for URLs that change with the content.
fn content_hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize()[..6]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn page_html(styles: &[Asset], scripts: &[Asset]) -> String {
    let styles: String = styles
        .iter()
        .map(|asset| format!("    <link rel=\"stylesheet\" href=\"{}\">\n", asset.url()))
        .collect();
    let scripts: String = scripts
        .iter()
        .map(|asset| format!("    <script src=\"{}\"></script>\n", asset.url()))
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="origin">
    <title>{TITLE}</title>
    <link rel="icon" href="data:,">
{styles}  </head>
  <body>
    <div id="graphiql" data-endpoint="{ENDPOINT}">Loading...</div>
{scripts}  </body>
</html>
"#
    )
}

/// Registers `/graphiql` and its assets.
pub(super) fn routes(config: &mut web::ServiceConfig) {
    config.service(
        web::scope("/graphiql")
            // GraphiQL's script is about 1 MB; gzip makes it about a quarter of that.
            .wrap(Compress::default())
            .route("", web::get().to(page))
            .route("/assets/{path:.*}", web::get().to(asset)),
    );
}

/// The GraphiQL page.
async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(BUNDLE.html.as_str())
}

/// A file the page loads.
async fn asset(path: web::Path<String>) -> HttpResponse {
    match BUNDLE.asset(&path) {
        Some(asset) => HttpResponse::Ok()
            .content_type(asset.content_type)
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(asset.body),
        None => HttpResponse::NotFound()
            .content_type("text/plain")
            .body("not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_every_asset_from_this_server_and_runs_no_inline_script() {
        let bundle = Bundle::new();
        for asset in bundle.styles.iter().chain(&bundle.scripts) {
            assert!(bundle.html.contains(&format!("\"{}\"", asset.url())));
            assert!(!asset.body.is_empty(), "{} is empty", asset.path);
        }
        assert_eq!(bundle.html.matches("<script").count(), bundle.scripts.len());
        assert_eq!(
            bundle
                .html
                .matches("<script src=\"/graphiql/assets/")
                .count(),
            bundle.scripts.len()
        );
        assert!(!bundle.html.contains("<style"));
    }
}
