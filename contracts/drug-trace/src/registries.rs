//! The constructor and the registries: trading partners (DSCSA authorized trading
//! partners), GTIN owners and the configuration.

use crate::errors::*;
use crate::events::*;
use crate::gs1;
use crate::history::*;
use crate::partners::*;
use crate::storage::*;
use crate::types::*;
use crate::validation::*;
use carechain_consent_api::Role;
use carechain_sdk::prelude::*;

pub(crate) fn new(consent: Address, require_rx: bool) {
    CONFIG.set(&Config {
        consent,
        require_rx,
    });
}

pub(crate) fn register_trading_partner(
    partner: Address,
    role: Role,
    gln: Gln,
    licence_ref: DocHash,
    authorized: bool,
) -> Result<(), Error> {
    let by = require_role(Role::NetworkAdmin);
    if !matches!(
        role,
        Role::Manufacturer | Role::Wholesaler | Role::Dispenser
    ) {
        fail(Error::InvalidRole);
    }
    if !gs1::is_gln13(&gln.0) {
        fail(Error::InvalidGln);
    }
    let entry = TradingPartner {
        role,
        gln,
        licence_ref,
        authorized,
    };
    PARTNERS.insert(&partner, &entry);
    env().emit(&TradingPartnerRegistered {
        partner,
        entry,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn register_gtin(gtin: Gtin, owner: Address) -> Result<(), Error> {
    let by = require_role(Role::NetworkAdmin);
    check_gtin(&gtin);
    if GTINS.contains(&gtin) {
        fail(Error::DuplicateGtin);
    }
    GTINS.insert(&gtin, &owner);
    env().emit(&GtinRegistered {
        gtin,
        owner,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn register_prescription(prescription: NewPrescription) -> Result<(), Error> {
    let by = require_role(Role::Practitioner);
    check_gtin(&prescription.gtin);
    if PRESCRIPTIONS.contains(&prescription.rx_hash) {
        fail(Error::DuplicatePrescription);
    }
    let at = now();
    if prescription.fills_allowed == 0 || prescription.valid_until <= at {
        fail(Error::InvalidPrescription);
    }
    PRESCRIPTIONS.insert(
        &prescription.rx_hash,
        &Prescription {
            rx_hash: prescription.rx_hash,
            subject: prescription.subject,
            prescriber: by,
            gtin: prescription.gtin.clone(),
            fills_allowed: prescription.fills_allowed,
            fills_used: 0,
            valid_until: prescription.valid_until,
        },
    );
    env().emit(&PrescriptionRegistered {
        rx_hash: prescription.rx_hash,
        by,
        gtin: prescription.gtin,
        fills_allowed: prescription.fills_allowed,
        valid_until: prescription.valid_until,
        at,
    });
    Ok(())
}

pub(crate) fn get_trading_partner(partner: Address) -> Option<TradingPartner> {
    PARTNERS.get(&partner)
}

pub(crate) fn gtin_owner(gtin: Gtin) -> Option<Address> {
    GTINS.get(&gtin)
}
