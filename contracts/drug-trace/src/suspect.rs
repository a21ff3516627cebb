//! Suspect and illegitimate product (DSCSA §582): quarantine, investigation, verification
//! requests and their resolution.

use crate::custody::*;
use crate::errors::*;
use crate::events::*;
use crate::history::*;
use crate::partners::*;
use crate::storage::*;
use crate::types::*;
use crate::validation::*;
use carechain_consent_api::Role;
use carechain_sdk::prelude::*;

pub(crate) fn quarantine(
    epcs: Vec<Epc>,
    case_id: CaseId,
    event_time: Option<u64>,
) -> Result<(), Error> {
    let t = event_time_of(event_time);
    let by = env().caller();
    let regulator = partner_or_regulator(&by).is_none();
    if CASES.contains(&case_id) {
        fail(Error::DuplicateCase);
    }
    check_count(epcs.len());
    let mut keys: Vec<ItemKey> = Vec::new();
    for epc in &epcs {
        match epc {
            Epc::Sgtin(key) => keys.push(key.clone()),
            Epc::Sscc(sscc) => {
                let c = load_container(sscc);
                if !regulator {
                    require_custody(&c.custodian, &by);
                }
                if c.status == ContainerStatus::Unpacked {
                    fail(Error::InvalidTransition {
                        entity: Entity::Container,
                        from: State::Unpacked,
                        attempted: State::Suspect,
                    });
                }
                keys.extend(descendants(&c).0);
            }
        }
        if keys.len() > MAX_ITEMS as usize {
            fail(Error::TooManyItems);
        }
    }
    let hold = Hold::Suspect { case_id };
    for key in &keys {
        let mut item = load_item(key);
        if !regulator {
            require_custody(&item.custodian, &by);
        }
        if !matches!(
            item.status,
            ItemStatus::Active | ItemStatus::InTransit { .. }
        ) {
            fail(Error::InvalidTransition {
                entity: Entity::Item,
                from: item_state(&item.status),
                attempted: State::Suspect,
            });
        }
        if !matches!(item.hold, Hold::None | Hold::Recalled { .. }) {
            fail(Error::ItemOnHold { hold: item.hold });
        }
        item.hold = hold;
        record(&mut item, QUARANTINE, t, &by, None, Room::Moves);
        ITEMS.insert(key, &item);
    }
    let at = now();
    CASES.insert(
        &case_id,
        &Investigation {
            case_id,
            items: keys.clone(),
            opened_by: by,
            opened_at: at,
            status: InvestigationStatus::Open,
            fda_notice_hash: None,
            resolved_by: None,
            resolved_at: None,
        },
    );
    CASE_IDS.push(&case_id);
    env().emit(&Quarantined {
        case_id,
        items: keys,
        to: State::Suspect,
        epcis: QUARANTINE,
        by,
        event_time: t,
        at,
    });
    Ok(())
}

pub(crate) fn resolve_investigation(
    case_id: CaseId,
    resolution: Resolution,
    fda_notice_hash: Option<DocHash>,
) -> Result<(), Error> {
    let by = env().caller();
    let mut case = CASES
        .get(&case_id)
        .unwrap_or_else(|| fail(Error::CaseNotFound));
    if by == case.opened_by {
        partner_or_regulator(&by);
    } else if !has_role(&by, Role::Regulator) {
        fail(Error::Unauthorized {
            required_role: Some(Role::Regulator),
        });
    }
    let (to_status, to_state) = match resolution {
        Resolution::Cleared => (InvestigationStatus::Cleared, State::Cleared),
        Resolution::Illegitimate => (InvestigationStatus::Illegitimate, State::Illegitimate),
    };
    if case.status != InvestigationStatus::Open {
        fail(Error::InvalidTransition {
            entity: Entity::Investigation,
            from: investigation_state(case.status),
            attempted: to_state,
        });
    }
    if resolution == Resolution::Illegitimate && fda_notice_hash.is_none() {
        fail(Error::FdaNoticeRequired);
    }
    let at = now();
    let suspect = Hold::Suspect { case_id };
    let mut lots = LotCache::default();
    for key in &case.items {
        let mut item = load_item(key);
        if item.hold != suspect {
            continue;
        }
        let epcis = match resolution {
            Resolution::Cleared => {
                item.hold = match lots.recall_of(&item) {
                    Some(r) => Hold::Recalled {
                        recall_id: r.recall_id,
                    },
                    None => Hold::None,
                };
                let disposition = match (item.hold, &item.status) {
                    (Hold::Recalled { .. }, _) => Disposition::recalled,
                    (_, ItemStatus::InTransit { .. }) => Disposition::in_transit,
                    _ => Disposition::active,
                };
                Epcis {
                    disposition,
                    ..INSPECTED
                }
            }
            Resolution::Illegitimate => {
                item.hold = Hold::Illegitimate { case_id };
                INSPECTED
            }
        };
        record(&mut item, epcis, at, &by, None, Room::Always);
        ITEMS.insert(key, &item);
    }
    case.status = to_status;
    case.fda_notice_hash = fda_notice_hash;
    case.resolved_by = Some(by);
    case.resolved_at = Some(at);
    CASES.insert(&case_id, &case);
    env().emit(&InvestigationResolved {
        case_id,
        items: case.items.clone(),
        from: State::Open,
        to: to_state,
        fda_notice_hash,
        by,
        at,
    });
    if let (Resolution::Illegitimate, Some(hash)) = (resolution, fda_notice_hash) {
        env().emit(&IllegitimateProductNotice {
            case_id,
            items: case.items,
            fda_notice_hash: hash,
            by,
            at,
        });
    }
    Ok(())
}

pub(crate) fn request_verification(product_identifier: ProductIdentifier) -> Result<u32, Error> {
    let by = env().caller();
    let at = now();
    check_pi(&product_identifier, at);
    let responder = GTINS
        .get(&product_identifier.gtin)
        .unwrap_or_else(|| fail(Error::GtinNotRegistered));
    partner_or_regulator(&by);
    let req_id = VERIFICATIONS.len();
    if req_id == u32::MAX {
        fail(Error::ArithmeticOverflow);
    }
    let due_at = at
        .checked_add(VERIFICATION_WINDOW)
        .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
    VERIFICATIONS.push(&VerificationRequest {
        req_id,
        product_identifier: product_identifier.clone(),
        requester: by,
        responder,
        requested_at: at,
        due_at,
        response: None,
        responded_at: None,
        late: false,
    });
    env().emit(&VerificationRequested {
        req_id,
        responder,
        product_identifier,
        by,
        due_at,
        at,
    });
    Ok(req_id)
}

pub(crate) fn respond_verification(req_id: u32, result: VerificationResult) -> Result<bool, Error> {
    let by = env().caller();
    let mut req = VERIFICATIONS
        .get(req_id)
        .unwrap_or_else(|| fail(Error::RequestNotFound));
    if by != req.responder {
        fail(Error::NotBrandOwner);
    }
    require_role_of(&by, Role::Manufacturer);
    if req.response.is_some() {
        fail(Error::InvalidTransition {
            entity: Entity::VerificationRequest,
            from: State::Responded,
            attempted: State::Responded,
        });
    }
    let at = now();
    req.response = Some(result);
    req.responded_at = Some(at);
    req.late = at >= req.due_at;
    VERIFICATIONS.set(req_id, &req);
    env().emit(&VerificationResponded {
        req_id,
        result,
        late: req.late,
        from: State::Pending,
        to: State::Responded,
        by,
        at,
    });
    Ok(req.late)
}
