//! Opaque global IDs: `base64url("<Type>:<uuid>")`. Clients must not parse them.

use async_graphql::ID;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::ApiError;

/// Every type that implements `Node`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    User,
    Organization,
    Membership,
    Cohort,
    Enrollment,
    CohortStaff,
    Topic,
    Invitation,
    Identity,
    Session,
    AccessToken,
}

impl NodeKind {
    const ALL: [Self; 11] = [
        Self::User,
        Self::Organization,
        Self::Membership,
        Self::Cohort,
        Self::Enrollment,
        Self::CohortStaff,
        Self::Topic,
        Self::Invitation,
        Self::Identity,
        Self::Session,
        Self::AccessToken,
    ];

    /// The GraphQL type name, used inside the ID.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Organization => "Organization",
            Self::Membership => "Membership",
            Self::Cohort => "Cohort",
            Self::Enrollment => "Enrollment",
            Self::CohortStaff => "CohortStaff",
            Self::Topic => "Topic",
            Self::Invitation => "Invitation",
            Self::Identity => "Identity",
            Self::Session => "Session",
            Self::AccessToken => "AccessToken",
        }
    }

    fn from_type_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.type_name() == name)
    }
}

/// The global ID of the `kind` object with primary key `id`.
pub fn encode(kind: NodeKind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.type_name(), id.simple())))
}

/// Decodes any global ID. A malformed ID is `BAD_USER_INPUT`.
pub fn decode(id: &ID) -> Result<(NodeKind, Uuid), ApiError> {
    let malformed = || ApiError::BadUserInput(format!("`{}` is not a valid ID", id.as_str()));
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_str())
        .map_err(|_| malformed())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
    let (kind, uuid) = text.split_once(':').ok_or_else(malformed)?;
    let kind = NodeKind::from_type_name(kind).ok_or_else(malformed)?;
    let uuid = Uuid::try_parse(uuid).map_err(|_| malformed())?;
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
    fn ids_round_trip_and_check_their_type() {
        let uuid = Uuid::now_v7();
        let id = encode(NodeKind::Cohort, uuid);
        assert_eq!(decode(&id).ok(), Some((NodeKind::Cohort, uuid)));
        assert_eq!(decode_as(&id, NodeKind::Cohort).ok(), Some(uuid));
        assert!(matches!(
            decode_as(&id, NodeKind::Organization),
            Err(ApiError::BadUserInput(_))
        ));
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
}
