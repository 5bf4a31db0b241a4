//! Opaque global IDs: `base64url("<Type>:<uuid>")`. Clients must not parse them.

use async_graphql::ID;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::ApiError;
pub use crate::graphql::node::NodeKind;

/// The global ID of the `kind` object with primary key `id`.
pub fn encode(kind: NodeKind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.type_name(), id.simple())))
}

/// Decodes any global ID. A malformed ID is `BAD_USER_INPUT`; so is any spelling of an ID
/// other than the one [`encode`] produces, so that each object has exactly one ID.
pub fn decode(id: &ID) -> Result<(NodeKind, Uuid), ApiError> {
    let malformed = || ApiError::BadUserInput(format!("`{}` is not a valid ID", id.as_str()));
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_str())
        .map_err(|_| malformed())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
    let (kind, uuid) = text.split_once(':').ok_or_else(malformed)?;
    let kind = NodeKind::from_type_name(kind).ok_or_else(malformed)?;
    let uuid = Uuid::try_parse(uuid).map_err(|_| malformed())?;
    if encode(kind, uuid) != *id {
        return Err(malformed());
    }
    Ok((kind, uuid))
}

/// Decodes an ID that must be of `kind`; an ID of another type is `BAD_USER_INPUT`.
pub fn decode_as(id: &ID, kind: NodeKind) -> Result<Uuid, ApiError> {
    match decode(id)? {
        (found, uuid) if found == kind => Ok(uuid),
        (found, _) => Err(ApiError::BadUserInput(format!(
            "expected the ID of a {}, got the ID of a {}",
            kind.type_name(),
            found.type_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_refuses_the_others() {
        let uuid = Uuid::now_v7();
        for kind in NodeKind::ALL.iter().copied() {
            let id = encode(kind, uuid);
            assert_eq!(decode(&id).ok(), Some((kind, uuid)));
            assert_eq!(decode_as(&id, kind).ok(), Some(uuid));
            for other in NodeKind::ALL.iter().copied().filter(|k| *k != kind) {
                assert!(
                    matches!(decode_as(&id, other), Err(ApiError::BadUserInput(_))),
                    "{kind:?} accepted as {other:?}"
                );
            }
        }
    }

    #[test]
    fn malformed_ids_are_bad_input() {
        for raw in ["", "not base64!", "Q29ob3J0", "Q29ob3J0Om5vdC1hLXV1aWQ"] {
            assert!(
                matches!(decode(&ID(raw.to_owned())), Err(ApiError::BadUserInput(_))),
                "{raw} should be rejected"
            );
        }
    }

    #[test]
    fn only_the_canonical_spelling_of_an_id_is_accepted() {
        let uuid = Uuid::now_v7();
        let spellings = [
            uuid.hyphenated().to_string(),
            uuid.simple().to_string().to_uppercase(),
            uuid.braced().to_string(),
            uuid.urn().to_string(),
        ];
        for spelling in spellings {
            let id = ID(URL_SAFE_NO_PAD.encode(format!("Cohort:{spelling}")));
            assert!(decode(&id).is_err(), "{spelling} accepted");
        }
        // Padded base64 of the canonical text is another spelling too.
        let padded =
            base64::engine::general_purpose::URL_SAFE.encode(format!("Cohort:{}", uuid.simple()));
        if padded.ends_with('=') {
            assert!(decode(&ID(padded)).is_err());
        }
    }
}
