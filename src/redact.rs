//! Pseudonymising principals (`--redact-principals`): each UPN or object id
//! becomes `user-` + the first 16 hex digits of HMAC-SHA256(key, lower-cased
//! value). The same person maps to the same pseudonym for the whole run (and
//! across runs with the same key), so distinct counts stay right and names
//! never appear; without the key the mapping cannot be rebuilt by hashing
//! guessed names.

use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// Keyed pseudonyms for principals.
#[derive(Clone)]
pub struct Redactor {
    inner_pad: [u8; BLOCK],
    outer_pad: [u8; BLOCK],
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor(<key>)")
    }
}

impl Redactor {
    /// A redactor keyed with `key` (any length; HMAC hashes long keys).
    pub fn new(key: &[u8]) -> Redactor {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        Redactor {
            inner_pad: block.map(|b| b ^ 0x36),
            outer_pad: block.map(|b| b ^ 0x5c),
        }
    }

    /// HMAC-SHA256 (RFC 2104) of `message`.
    fn mac(&self, message: &[u8]) -> [u8; 32] {
        let inner = Sha256::new()
            .chain_update(self.inner_pad)
            .chain_update(message)
            .finalize();
        Sha256::new()
            .chain_update(self.outer_pad)
            .chain_update(inner)
            .finalize()
            .into()
    }

    /// `user-<16 hex>` for a UPN or object id (case-insensitive).
    pub fn pseudonym(&self, principal: &str) -> String {
        let mac = self.mac(principal.trim().to_lowercase().as_bytes());
        let mut out = String::with_capacity(21);
        out.push_str("user-");
        for byte in &mac[..8] {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let r = Redactor::new(b"Jefe");
        let mac = r.mac(b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn long_keys_are_hashed_first() {
        // RFC 4231 case 6: a 131-byte key.
        let r = Redactor::new(&[0xaa; 131]);
        let mac = r.mac(b"Test Using Larger Than Block-Size Key - Hash Key First");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn pseudonyms_are_stable_keyed_and_case_insensitive() {
        let a = Redactor::new(b"key one");
        let b = Redactor::new(b"key two");
        let p = a.pseudonym("Jane@Contoso.com");
        assert_eq!(p, a.pseudonym("jane@contoso.com"));
        assert_ne!(p, b.pseudonym("jane@contoso.com"));
        assert_ne!(p, a.pseudonym("john@contoso.com"));
        assert!(p.starts_with("user-") && p.len() == 21 && !p.contains("jane"));
        assert!(!format!("{a:?}").contains("key one"));
    }
}
