//! Root documents: the keys of the organisation and, per role, which of them must sign.
//! Modelled on TUF's `root.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::TrustError;
use super::dsse::{Envelope, POLICY_TYPE, ROOT_TYPE};
use super::keys::{KeyType, PublicKey};
use crate::policy::Policy;
use crate::time::Timestamp;

/// A root document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Root {
    /// The organisation whose devices trust it.
    pub organisation: String,
    /// Version; each new root is exactly one above the one it replaces.
    pub version: u64,
    /// After this, the root no longer lets a device accept anything new.
    pub expires: Timestamp,
    /// Every key the roles name, by key id.
    pub keys: BTreeMap<String, RootKey>,
    /// Who must sign what.
    pub roles: Roles,
    /// When this root replaces the policy keys, the policy-version floor drops to this value
    /// (recovery from a stolen policy key that signed a huge version).
    #[serde(default)]
    pub policy_version_floor: u64,
    /// When the root was made: a signed time, so the device's time floor can advance from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<Timestamp>,
}

/// A public key in a root document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootKey {
    /// The algorithm.
    pub keytype: KeyType,
    /// Base64 of the SubjectPublicKeyInfo DER.
    pub public: String,
}

/// The two roles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// Signs root documents (offline keys).
    pub root: Role,
    /// Signs policies (online keys).
    pub policy: Role,
}

/// A role: its keys and how many of them must sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Key ids, from [`Root::keys`].
    pub keyids: Vec<String>,
    /// How many distinct keys must sign.
    pub threshold: usize,
}

/// Which role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleName {
    /// Root documents.
    Root,
    /// Policies.
    Policy,
}

impl Root {
    /// A root naming these keys per role (a key given twice is listed once).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        organisation: &str,
        version: u64,
        expires: Timestamp,
        root_keys: &[&PublicKey],
        root_threshold: usize,
        policy_keys: &[&PublicKey],
        policy_threshold: usize,
        policy_version_floor: u64,
    ) -> Root {
        let mut keys = BTreeMap::new();
        let mut role = |ks: &[&PublicKey], threshold: usize| {
            let mut keyids: Vec<String> = Vec::new();
            for k in ks {
                let id = k.key_id();
                keys.insert(
                    id.clone(),
                    RootKey {
                        keytype: k.kind(),
                        public: k.to_base64(),
                    },
                );
                if !keyids.contains(&id) {
                    keyids.push(id);
                }
            }
            Role { keyids, threshold }
        };
        let roles = Roles {
            root: role(root_keys, root_threshold),
            policy: role(policy_keys, policy_threshold),
        };
        Root {
            organisation: organisation.to_string(),
            version,
            expires,
            keys,
            roles,
            policy_version_floor,
            issued_at: None,
        }
    }

    fn role(&self, name: RoleName) -> &Role {
        match name {
            RoleName::Root => &self.roles.root,
            RoleName::Policy => &self.roles.policy,
        }
    }

    /// The distinct public keys of a role (a key listed under two ids appears once).
    pub fn role_keys(&self, name: RoleName) -> Result<Vec<PublicKey>, TrustError> {
        let mut out: Vec<PublicKey> = Vec::new();
        for id in &self.role(name).keyids {
            let entry = self.keys.get(id).ok_or_else(|| {
                TrustError::Root(format!(
                    "key id {id} is named by a role but not listed under keys"
                ))
            })?;
            let key = PublicKey::parse(&entry.public)
                .map_err(|e| TrustError::Root(format!("key {id}: {e}")))?;
            if key.kind() != entry.keytype {
                return Err(TrustError::Root(format!(
                    "key {id} says {} but holds an {} key",
                    entry.keytype,
                    key.kind()
                )));
            }
            if !out.contains(&key) {
                out.push(key);
            }
        }
        Ok(out)
    }

    /// Checks the document is usable: every role can reach its threshold with distinct keys.
    pub fn validate(&self) -> Result<(), TrustError> {
        if self.version == 0 {
            return Err(TrustError::Root("the version must be 1 or more".into()));
        }
        for (name, label) in [(RoleName::Root, "root"), (RoleName::Policy, "policy")] {
            let keys = self.role_keys(name)?;
            let threshold = self.role(name).threshold;
            if threshold == 0 || threshold > keys.len() {
                return Err(TrustError::Root(format!(
                    "the {label} threshold {threshold} cannot be met by its {} distinct key(s)",
                    keys.len()
                )));
            }
        }
        Ok(())
    }

    /// Verifies an envelope against a role of this root; returns the payload and signer key ids.
    pub fn verify(
        &self,
        envelope: &Envelope,
        name: RoleName,
        payload_type: &str,
    ) -> Result<super::dsse::Verified, TrustError> {
        let label = match name {
            RoleName::Root => format!("root (version {})", self.version),
            RoleName::Policy => "policy".to_string(),
        };
        envelope.verify(
            payload_type,
            &self.role_keys(name)?,
            self.role(name).threshold,
            &label,
        )
    }

    /// Whether `other` names a different set of policy keys.
    pub fn policy_keys_differ(&self, other: &Root) -> bool {
        let mine = self.role_keys(RoleName::Policy).unwrap_or_default();
        let theirs = other.role_keys(RoleName::Policy).unwrap_or_default();
        mine.len() != theirs.len() || mine.iter().any(|k| !theirs.contains(k))
    }

    /// Whether any of these key ids (as computed from the keys, never as a root labels them) is
    /// one of this root's policy keys.
    pub(crate) fn trusts_any_policy_key(
        &self,
        key_ids: &std::collections::HashSet<String>,
    ) -> bool {
        self.role_keys(RoleName::Policy)
            .unwrap_or_default()
            .iter()
            .any(|k| key_ids.contains(&k.key_id()))
    }

    /// The root as an unsigned envelope.
    pub fn to_envelope(&self) -> Envelope {
        Envelope::new(
            ROOT_TYPE,
            &serde_json::to_vec_pretty(self).unwrap_or_default(),
        )
    }
}

fn parse_root(payload: &[u8]) -> Result<Root, TrustError> {
    let root: Root =
        serde_json::from_slice(payload).map_err(|e| TrustError::Root(e.to_string()))?;
    root.validate()?;
    Ok(root)
}

/// Verifies the root pinned at enrolment: signed by a threshold of its own root keys, for this
/// organisation. (Its expiry is judged by the sync, against the time of the update.)
pub fn verify_initial(bytes: &[u8], organisation: &str) -> Result<Root, TrustError> {
    let envelope = Envelope::parse(bytes)?;
    if envelope.payload_type != ROOT_TYPE {
        return Err(TrustError::PayloadType {
            expected: ROOT_TYPE.into(),
            found: envelope.payload_type,
        });
    }
    // Self-signed: the keys to check come from the document itself, so it is parsed first; nothing
    // is trusted until its own threshold verified.
    let root = parse_root(&envelope.payload_bytes()?)?;
    let verified = root.verify(&envelope, RoleName::Root, ROOT_TYPE)?;
    let root = parse_root(&verified.payload)?;
    if root.organisation != organisation {
        return Err(TrustError::Organisation {
            what: "root",
            expected: organisation.into(),
            found: root.organisation,
        });
    }
    Ok(root)
}

/// Verifies root N+1 against trusted root N: a threshold of N's root keys and of N+1's own root
/// keys must have signed it, and its version must be exactly N+1.
pub fn verify_successor(trusted: &Root, bytes: &[u8]) -> Result<Root, TrustError> {
    let envelope = Envelope::parse(bytes)?;
    let by_old = trusted.verify(&envelope, RoleName::Root, ROOT_TYPE)?;
    let next = parse_root(&by_old.payload)?;
    if next.version != trusted.version + 1 {
        return Err(TrustError::RootVersion {
            trusted: trusted.version,
            found: next.version,
        });
    }
    if next.organisation != trusted.organisation {
        return Err(TrustError::Organisation {
            what: "root",
            expected: trusted.organisation.clone(),
            found: next.organisation,
        });
    }
    next.verify(&envelope, RoleName::Root, ROOT_TYPE)?;
    Ok(next)
}

/// A policy whose signatures verified against a root.
#[derive(Clone, Debug)]
pub struct VerifiedPolicy {
    /// The document.
    pub policy: Policy,
    /// Its payload bytes exactly as signed.
    pub payload: Vec<u8>,
    /// Key ids of the keys that signed it.
    pub signers: Vec<String>,
}

/// Verifies a policy envelope against a root's policy role and parses the verified bytes only.
pub fn verify_policy(root: &Root, bytes: &[u8]) -> Result<VerifiedPolicy, TrustError> {
    let envelope = Envelope::parse(bytes)?;
    let verified = root.verify(&envelope, RoleName::Policy, POLICY_TYPE)?;
    let policy =
        Policy::from_json(&verified.payload).map_err(|e| TrustError::Policy(e.to_string()))?;
    Ok(VerifiedPolicy {
        policy,
        payload: verified.payload,
        signers: verified.signers,
    })
}
