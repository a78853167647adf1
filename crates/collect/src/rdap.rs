//! Registrars over RDAP (RFC 9082/9083): IANA's bootstrap registry
//! (RFC 9224) names the RDAP server of each top-level domain; the domain
//! object's entity with the `registrar` role names the registrar.

use crate::net::http_failure;
use crate::Failure;
use serde_json::Value;

pub use whoserves_core::collect::rdap::{domain_url, registrar, servers_for, IANA_BOOTSTRAP};

/// GETs a JSON document (RDAP or bootstrap).
pub async fn get_json(client: &reqwest::Client, url: &str) -> Result<Value, Failure> {
    let resp =
        crate::web::get_ok(client, url, Some("application/rdap+json, application/json")).await?;
    let body = crate::web::read_capped(resp)
        .await
        .map_err(|e| http_failure(&format!("GET {url}"), e))?;
    serde_json::from_slice(&body).map_err(|e| Failure {
        message: format!("GET {url}: not JSON: {e}"),
        retry: false,
    })
}
