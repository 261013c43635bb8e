//! What opening a `.p12` will cost, found before it is opened.
//!
//! A `.p12` names its own key-derivation work: a MAC over its contents and, for each encrypted
//! part, PBKDF2 (iterations), scrypt (N, r, p) or PKCS#12's own KDF (iterations), each paid in
//! full before the password can be found right or wrong. A 990-byte file asking for scrypt with
//! N = 2²⁰ and p = 16 took 54 s and 1 GiB; 6,500 encrypted bags of a million PBKDF2 iterations
//! each would take over 20 minutes. Since a kept certificate is opened by every command, one
//! such file would make every later run that slow.
//!
//! [`check`] reads the file's structure and adds up the work, in units of one PBKDF2-HMAC
//! iteration (about 0.4 µs for SHA-256 on this project's machine): the MAC, each encrypted part,
//! and each encrypted key, including those inside an encrypted part, which it decrypts to look
//! in (a part's cost is then counted twice: once here, once when it is opened). Over
//! [`KDF_BUDGET`] it refuses the file before deriving anything more. Real files cost a few
//! thousand units: OpenSSL 3 and Go write PBKDF2 with 2048 iterations in one or two encrypted
//! parts plus a MAC, the legacy kind the same with PKCS#12's KDF.

use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
use der::asn1::{ContextSpecific, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use pkcs5::pbes2;
use pkcs12::cms::cert::x509::spki::AlgorithmIdentifierOwned;
use pkcs12::cms::content_info::ContentInfo;
use pkcs12::cms::encrypted_data::EncryptedData;
use pkcs12::pbe_params::EncryptedPrivateKeyInfo;
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeContents;

/// The most key-derivation work a `.p12` may ask for, in PBKDF2-HMAC-SHA256 iterations: about
/// 0.8 s of the release build on this project's 2-core machine, ~1000 times what a real file
/// asks for. The worst file accepted opens within 2 s.
pub const KDF_BUDGET: u64 = 2_000_000;
/// scrypt's memory, 128·N·r bytes, at most: N = 2¹⁵ with r = 8.
const SCRYPT_MAX_MEMORY: u64 = 32 * 1024 * 1024;
/// Units charged per N·r·p of scrypt (N = 2¹⁴, r = 8, p = 1 took 78 ms where a million PBKDF2
/// iterations took 400 ms: 1.5 units each, rounded up).
const SCRYPT_UNITS: u64 = 2;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");
/// The other PKCS#12 PBE schemes (RC4, two-key 3DES, RC2-128): counted, never decrypted here.
const PBE_PKCS12_ARC: &str = "1.2.840.113549.1.12.1.";
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const SECRET_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.5");

/// Why a `.p12` is refused before it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Its structure is not PKCS#12's.
    NotP12(String),
    /// It asks for more key-derivation work than any real file: what, in words.
    TooCostly(String),
    /// An encrypted part does not decrypt with the password.
    WrongPassword,
}

/// What the check found out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// Whether the file has a MAC: without one, only decrypting tells a wrong password.
    pub has_mac: bool,
    /// The work counted, in units of [`KDF_BUDGET`].
    pub units: u64,
}

struct Budget {
    spent: u64,
}

impl Budget {
    fn charge(&mut self, units: u64) -> Result<(), Refusal> {
        self.spent = self.spent.saturating_add(units);
        if self.spent > KDF_BUDGET {
            return Err(Refusal::TooCostly(format!(
                "its password protection asks for more than {} million rounds of key \
                 derivation, where a real certificate asks for a few thousand",
                KDF_BUDGET / 1_000_000
            )));
        }
        Ok(())
    }
}

/// Counts the key-derivation work `bytes` asks for (see the module docs), decrypting its
/// encrypted parts with `password` to look inside them once their own cost is known to fit.
pub fn check(bytes: &[u8], password: &str) -> Result<Checked, Refusal> {
    let not_p12 = |e: der::Error| Refusal::NotP12(e.to_string());
    let pfx = Pfx::from_der(bytes).map_err(not_p12)?;
    let mut budget = Budget { spent: 0 };
    if let Some(mac) = &pfx.mac_data {
        budget.charge(u64::try_from(mac.iterations).unwrap_or(u64::MAX))?;
    }
    if pfx.auth_safe.content_type != DATA {
        return Err(Refusal::NotP12("its contents are not plain data".into()));
    }
    let safes = OctetString::from_der(&pfx.auth_safe.content.to_der().map_err(not_p12)?)
        .map_err(not_p12)?;
    let safes: Vec<ContentInfo> = Vec::from_der(safes.as_bytes()).map_err(not_p12)?;
    for safe in &safes {
        let contents = match safe.content_type {
            DATA => OctetString::from_der(&safe.content.to_der().map_err(not_p12)?)
                .map_err(not_p12)?
                .into_bytes()
                .into_vec(),
            ENCRYPTED_DATA => {
                let encrypted = EncryptedData::from_der(&safe.content.to_der().map_err(not_p12)?)
                    .map_err(not_p12)?;
                let algorithm = &encrypted.enc_content_info.content_enc_alg;
                // Once here to look inside, once more when the file is opened.
                budget.charge(cost(algorithm)?.saturating_mul(2))?;
                let Some(ciphertext) = &encrypted.enc_content_info.encrypted_content else {
                    continue;
                };
                match decrypt(algorithm, ciphertext.as_bytes(), password)? {
                    Some(plain) => plain,
                    // A scheme we do not decrypt: the opening itself will refuse it.
                    None => continue,
                }
            }
            _ => continue,
        };
        let bags = match SafeContents::from_der(&contents) {
            Ok(bags) => bags,
            // Decrypted with a wrong password (the padding happened to look right).
            Err(_) if safe.content_type == ENCRYPTED_DATA => return Err(Refusal::WrongPassword),
            Err(e) => return Err(not_p12(e)),
        };
        for bag in &bags {
            if bag.bag_id == SHROUDED_KEY_BAG {
                let key = ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value)
                    .map_err(not_p12)?;
                budget.charge(cost(&key.value.encryption_algorithm)?)?;
            } else if bag.bag_id == SECRET_BAG {
                // A secret bag may hold an encrypted key too; counted as one at most.
                budget.charge(secret_bag_cost(&bag.bag_value))?;
            }
        }
    }
    Ok(Checked {
        has_mac: pfx.mac_data.is_some(),
        units: budget.spent,
    })
}

/// An algorithm's parameters, as DER.
fn parameters_der(algorithm: &AlgorithmIdentifierOwned) -> Result<Vec<u8>, Refusal> {
    algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| Refusal::NotP12("an encryption has no parameters".into()))?
        .to_der()
        .map_err(|e| Refusal::NotP12(e.to_string()))
}

/// The key-derivation units one encryption algorithm asks for.
fn cost(algorithm: &AlgorithmIdentifierOwned) -> Result<u64, Refusal> {
    let parameters = || parameters_der(algorithm);
    if algorithm.oid == PBES2 {
        let parameters = pbes2::Parameters::from_der(&parameters()?)
            .map_err(|e| Refusal::NotP12(e.to_string()))?;
        let key_bytes = parameters.encryption.key_size() as u64;
        return match &parameters.kdf {
            pbes2::Kdf::Pbkdf2(pbkdf2) => {
                let block = match pbkdf2.prf {
                    pbes2::Pbkdf2Prf::HmacWithSha224 => 28,
                    pbes2::Pbkdf2Prf::HmacWithSha256 => 32,
                    pbes2::Pbkdf2Prf::HmacWithSha384 => 48,
                    pbes2::Pbkdf2Prf::HmacWithSha512 => 64,
                    // SHA-1 (20 bytes), and whatever else: the most blocks.
                    _ => 20,
                };
                Ok(u64::from(pbkdf2.iteration_count).saturating_mul(key_bytes.div_ceil(block)))
            }
            pbes2::Kdf::Scrypt(scrypt) => {
                let (n, r, p) = (
                    scrypt.cost_parameter,
                    u64::from(scrypt.block_size),
                    u64::from(scrypt.parallelization),
                );
                let memory = 128u64.saturating_mul(n).saturating_mul(r);
                if memory > SCRYPT_MAX_MEMORY {
                    return Err(Refusal::TooCostly(format!(
                        "its password protection (scrypt) asks for {} MiB of memory, where a \
                         real certificate asks for none",
                        memory / (1024 * 1024)
                    )));
                }
                Ok(n.saturating_mul(r)
                    .saturating_mul(p)
                    .saturating_mul(SCRYPT_UNITS))
            }
            _ => Err(Refusal::NotP12("it uses an unknown key derivation".into())),
        };
    }
    if algorithm.oid.to_string().starts_with(PBE_PKCS12_ARC) {
        let (_, iterations) = pkcs12_pbe_parameters(&parameters()?)?;
        // PKCS#12's KDF derives the key and the IV apart: at most three blocks in all.
        return Ok(iterations.saturating_mul(3));
    }
    Ok(0)
}

/// The salt and iteration count of a PKCS#12 PBE scheme.
fn pkcs12_pbe_parameters(der_bytes: &[u8]) -> Result<(Vec<u8>, u64), Refusal> {
    let parameters = pkcs12::pbe_params::Pkcs12PbeParams::from_der(der_bytes)
        .map_err(|e| Refusal::NotP12(e.to_string()))?;
    let iterations = u64::try_from(parameters.iterations)
        .map_err(|_| Refusal::NotP12("a negative iteration count".into()))?;
    Ok((parameters.salt.as_bytes().to_vec(), iterations))
}

/// A secret bag's encrypted key, if it holds one, costs what its algorithm asks for; a bag
/// that cannot be read so costs nothing (it is not decrypted either).
fn secret_bag_cost(bag_value: &[u8]) -> u64 {
    use der::Reader as _;
    // [0] { SEQUENCE { OID, [0] OCTET STRING (an EncryptedPrivateKeyInfo), attributes? } }
    let inner = || -> der::Result<OctetString> {
        let any = der::Any::from_der(bag_value)?;
        let mut reader = der::SliceReader::new(any.value())?;
        reader.sequence(|r| {
            let _kind: ObjectIdentifier = r.decode()?;
            let key: ContextSpecific<OctetString> = r.decode()?;
            while !r.is_finished() {
                let _: der::Any = r.decode()?;
            }
            Ok(key.value)
        })
    };
    inner()
        .ok()
        .and_then(|key| EncryptedPrivateKeyInfo::from_der(key.as_bytes()).ok())
        .map_or(0, |key| {
            cost(&key.encryption_algorithm).unwrap_or(KDF_BUDGET + 1)
        })
}

/// An encrypted part's contents, decrypted with `password`: PBES2 (AES) or the legacy
/// PKCS#12 PBEs with 3DES or 40-bit RC2 (OpenSSL's `-legacy`). `None` for other schemes.
fn decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    password: &str,
) -> Result<Option<Vec<u8>>, Refusal> {
    let parameters = || parameters_der(algorithm);
    if algorithm.oid == PBES2 {
        let parameters = pbes2::Parameters::from_der(&parameters()?)
            .map_err(|e| Refusal::NotP12(e.to_string()))?;
        return match parameters.decrypt(password.as_bytes(), ciphertext) {
            Ok(plain) => Ok(Some(plain)),
            // pkcs5 reports a scheme it lacks as unsupported; anything else is the padding
            // (or the key) a wrong password gives.
            Err(
                pkcs5::Error::AlgorithmParametersInvalid { .. }
                | pkcs5::Error::UnsupportedAlgorithm { .. },
            ) => Ok(None),
            Err(_) => Err(Refusal::WrongPassword),
        };
    }
    let legacy = if algorithm.oid == PBE_SHA1_3DES {
        Some(24)
    } else if algorithm.oid == PBE_SHA1_RC2_40 {
        Some(5)
    } else {
        None
    };
    let Some(key_bytes) = legacy else {
        return Ok(None);
    };
    let (salt, iterations) = pkcs12_pbe_parameters(&parameters()?)?;
    let iterations =
        i32::try_from(iterations).map_err(|_| Refusal::NotP12("too many iterations".into()))?;
    let derive = |kind, length| {
        pkcs12::kdf::derive_key_utf8::<sha1::Sha1>(password, &salt, kind, iterations, length)
            .map_err(|e| Refusal::NotP12(e.to_string()))
    };
    let key = derive(pkcs12::kdf::Pkcs12KeyType::EncryptionKey, key_bytes)?;
    let iv = derive(pkcs12::kdf::Pkcs12KeyType::Iv, 8)?;
    let plain = if key_bytes == 24 {
        cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(|_| Refusal::NotP12("a 3DES key of the wrong length".into()))?
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
    } else {
        cbc::Decryptor::<rc2::Rc2>::new_from_slices(&key, &iv)
            .map_err(|_| Refusal::NotP12("an RC2 key of the wrong length".into()))?
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
    };
    plain.map(Some).map_err(|_| Refusal::WrongPassword)
}
