//! The constructor, the configuration, the product-code registry and the recipient
//! registry.

use crate::access::*;
use crate::errors::*;
use crate::events::*;
use crate::isbt128::product_code_syntax;
use crate::storage::*;
use crate::types::*;
use crate::units::*;
use carechain_consent_api::Role;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) fn new(consent: Address) {
    CONSENT.set(&consent);
    CONFIG.set(&default_config());
}

pub(crate) fn set_config(config: Config) -> Result<(), Error> {
    let by = require(Role::NetworkAdmin);
    let from = get_config();
    CONFIG.set(&config);
    env().emit(&ConfigChanged {
        from,
        to: config,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn register_product_code(prefix: String, rule: ProductRule) -> Result<(), Error> {
    let by = require(Role::NetworkAdmin);
    if prefix.is_empty() || !product_code_syntax(&prefix) {
        fail(Error::InvalidProductCode);
    }
    let from = PRODUCTS.get(&prefix);
    PRODUCTS.insert(&prefix, &rule);
    env().emit(&ProductCodeRegistered {
        prefix,
        from,
        to: rule,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn register_recipient(recipient: Recipient) -> Result<(), Error> {
    let by = require(Role::TransfusionService);
    let from = RECIPIENTS.get(&recipient.subject);
    RECIPIENTS.insert(&recipient.subject, &recipient);
    env().emit(&RecipientRegistered {
        subject: recipient.subject,
        from,
        to: recipient,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn get_config() -> Config {
    CONFIG.get().unwrap_or_else(default_config)
}

pub(crate) fn consent_contract() -> Address {
    consent()
}

pub(crate) fn get_product_code(prefix: String) -> Option<ProductRule> {
    PRODUCTS.get(&prefix)
}

pub(crate) fn get_recipient(subject: SubjectId) -> Option<Recipient> {
    RECIPIENTS.get(&subject)
}

pub(crate) fn default_config() -> Config {
    Config {
        crossmatch_validity_secs: DEFAULT_CROSSMATCH_VALIDITY_SECS,
        return_window_minutes: DEFAULT_RETURN_WINDOW_MINUTES,
        emergency_authorization_secs: DEFAULT_EMERGENCY_AUTHORIZATION_SECS,
        platelet_policy: PlateletPolicy {
            abo_major_mismatch: PolicyAction::Warn,
            abo_minor_mismatch_low_titer: PolicyAction::Warn,
            abo_minor_mismatch: PolicyAction::Reject,
            rhd_pos_to_neg: PolicyAction::Warn,
            rhd_negative_available: PolicyAction::Reject,
        },
    }
}

/// The rule of the longest registered prefix of `code`.
pub(crate) fn product_rule(code: &str) -> Option<ProductRule> {
    (1..=code.len())
        .rev()
        .find_map(|n| code.get(..n).and_then(|p| PRODUCTS.get(&String::from(p))))
}
