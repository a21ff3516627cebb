//! The interface of the AccessConsent contract (`contracts/consent`): the types other contracts
//! exchange with it, and typed calls of the messages they send it.
//!
//! Defined once, here: AccessConsent itself, Claims, BloodBank and DrugTrace all use these
//! definitions, so a change to one (a new [`Role`], a reordered [`PurposeOfUse`]) changes every
//! contract that sends or receives it, at the same time. Each type derives
//! [`TypeInfo`](carechain_sdk::TypeInfo), so the metadata of every contract that names it in a
//! message, event or error describes it from this very definition (see the `carechain-sdk`
//! crate docs, "Types defined outside the contract module"). The SCALE encoding of every variant
//! is pinned by a test of the `carechain-tests` crate (`tests/tests/consent_api.rs`), which also
//! checks that the metadata of each contract gives the same definitions.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

use core::marker::PhantomData;

use carechain_sdk::prelude::*;

/// A pseudonymous subject (patient or donor): HMAC-SHA256 of the enterprise id, keyed off
/// chain. Never a name, MRN or date of birth.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct SubjectId(pub [u8; 32]);

/// What an actor may do (P2 of the domain specification).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Role {
    /// Writes the actor directory.
    NetworkAdmin,
    /// The subject, or a guardian or legal representative linked to the subject.
    Patient,
    /// A clinician.
    Practitioner,
    /// Reviews break-the-glass access and corrects consents entered in error.
    PrivacyOfficer,
    /// A manufacturer or repackager.
    Manufacturer,
    /// A wholesale distributor.
    Wholesaler,
    /// A pharmacy.
    Dispenser,
    /// A regulator.
    Regulator,
    /// A blood establishment (collection and processing).
    BloodEstablishment,
    /// A hospital transfusion service.
    TransfusionService,
    /// A medical director.
    MedicalDirector,
    /// A billing provider.
    Provider,
    /// A payer.
    Payer,
}

/// v3 ActReason PurposeOfUse codes, spelled as the standard spells them.
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum PurposeOfUse {
    /// Treatment.
    TREAT,
    /// Emergency treatment (a child of TREAT).
    ETREAT,
    /// Healthcare payment.
    HPAYMT,
    /// Healthcare operations.
    HOPERAT,
    /// Healthcare research.
    HRESCH,
    /// Public health.
    PUBHLTH,
    /// Break the glass: only through `break_glass`.
    BTG,
    /// Coverage authorisation (a child of HPAYMT).
    COVAUTH,
    /// Eligibility verification (a child of HPAYMT).
    ELIGVER,
}

/// Classes of data a consent governs.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum DataClass {
    /// Claims.
    Claim,
    /// Coverage.
    Coverage,
    /// Medication dispenses.
    MedicationDispense,
    /// Transfusions.
    Transfusion,
    /// Blood type.
    BloodType,
    /// Every class.
    Any,
}

impl DataClass {
    /// Every class but `Any`: what a request for `Any` covers. A request for `Any` is permitted
    /// only if each of these is (a narrower deny is never bypassed by asking for everything).
    pub const CONCRETE: [DataClass; 5] = [
        DataClass::Claim,
        DataClass::Coverage,
        DataClass::MedicationDispense,
        DataClass::Transfusion,
        DataClass::BloodType,
    ];

    /// True for every class but `Any`. An exhaustive match, so a new class does not compile
    /// until it is placed here, next to [`DataClass::CONCRETE`], and the check below holds.
    pub const fn is_concrete(self) -> bool {
        match self {
            DataClass::Claim
            | DataClass::Coverage
            | DataClass::MedicationDispense
            | DataClass::Transfusion
            | DataClass::BloodType => true,
            DataClass::Any => false,
        }
    }
}

// Every entry of CONCRETE is concrete (checked when the crate compiles).
const _: () = {
    let mut i = 0;
    while i < DataClass::CONCRETE.len() {
        assert!(DataClass::CONCRETE[i].is_concrete());
        i += 1;
    }
};

/// FHIR consent-action.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Action {
    /// `access`.
    Access,
    /// `use`.
    Use,
    /// `disclose`.
    Disclose,
    /// `collect`.
    Collect,
    /// `correct`.
    Correct,
}

/// Why access was denied.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum DenyReason {
    /// A matching deny provision applies (deny overrides permit).
    DeniedByProvision,
    /// No active consent permits it (default deny).
    NoConsent,
    /// A consent would permit it, but its period has ended.
    ConsentExpired,
}

/// An access decision.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Decision {
    /// Permitted by consent.
    Permit,
    /// Permitted by break-the-glass; to be reviewed.
    PermitBreakGlass,
    /// Denied.
    Deny(DenyReason),
}

/// A call of an AccessConsent message, its arguments encoded, returning `R`.
///
/// AccessConsent's own error is not decoded: a caller treats every failure of the call (an
/// error, a revert, a trap) alike, as "consent unavailable", so it gets `CallError<()>`.
#[must_use = "a call does nothing until invoked"]
pub struct ConsentCall<R> {
    call: Call,
    returns: PhantomData<R>,
}

impl<R: Decode> ConsentCall<R> {
    fn new(call: Call) -> Self {
        ConsentCall {
            call,
            returns: PhantomData,
        }
    }

    /// Forwards at most `gas` (default: all that is left).
    pub fn gas_limit(self, gas: u64) -> Self {
        ConsentCall::new(self.call.gas_limit(gas))
    }

    /// Makes the call.
    ///
    /// # Errors
    /// [`CallError`]: AccessConsent reverted (its error is not decoded) or did not finish.
    pub fn invoke(self) -> Result<R, CallError<()>> {
        self.call.invoke::<R, ()>()
    }
}

/// `has_role(actor, role)` on the AccessConsent contract at `consent`: true if `actor` is an
/// active actor of the directory with `role`.
///
/// ```ignore
/// let granted = has_role(consent, &env().caller(), Role::Payer).invoke()?;
/// ```
pub fn has_role(consent: Address, actor: &Address, role: Role) -> ConsentCall<bool> {
    ConsentCall::new(
        Call::new(consent, selector!("has_role"))
            .arg(actor)
            .arg(&role),
    )
}

/// `check_access_for(requester, subject, purpose, data_class, action)` on the AccessConsent
/// contract at `consent`: its decision on `requester`'s access, logged there with the calling
/// contract as the one that asked (the calling contract must be one AccessConsent trusts).
pub fn check_access_for(
    consent: Address,
    requester: &Address,
    subject: &SubjectId,
    purpose: PurposeOfUse,
    data_class: DataClass,
    action: Action,
) -> ConsentCall<Decision> {
    ConsentCall::new(
        Call::new(consent, selector!("check_access_for"))
            .arg(requester)
            .arg(subject)
            .arg(&purpose)
            .arg(&data_class)
            .arg(&action),
    )
}

/// `break_glass_for(requester, subject, data_class, justification)` on the AccessConsent
/// contract at `consent`: emergency access for practitioner `requester`, recorded for review
/// (the calling contract must be one AccessConsent trusts).
pub fn break_glass_for(
    consent: Address,
    requester: &Address,
    subject: &SubjectId,
    data_class: DataClass,
    justification: &str,
) -> ConsentCall<Decision> {
    ConsentCall::new(
        Call::new(consent, selector!("break_glass_for"))
            .arg(requester)
            .arg(subject)
            .arg(&data_class)
            .arg(&justification),
    )
}

/// `acts_for(actor, subject)` on the AccessConsent contract at `consent`: true if `actor` is an
/// active Patient linked to `subject` (the subject, a guardian or a legal representative).
pub fn acts_for(consent: Address, actor: &Address, subject: &SubjectId) -> ConsentCall<bool> {
    ConsentCall::new(
        Call::new(consent, selector!("acts_for"))
            .arg(actor)
            .arg(subject),
    )
}

/// `is_active(actor)` on the AccessConsent contract at `consent`: true if `actor` is an active
/// actor of the directory.
pub fn is_active(consent: Address, actor: &Address) -> ConsentCall<bool> {
    ConsentCall::new(Call::new(consent, selector!("is_active")).arg(actor))
}

/// `same_org(a, b)` on the AccessConsent contract at `consent`: true if `a` is an active actor
/// of the organisation `b` is registered in.
pub fn same_org(consent: Address, a: &Address, b: &Address) -> ConsentCall<bool> {
    ConsentCall::new(Call::new(consent, selector!("same_org")).arg(a).arg(b))
}

/// Who may read a record (minimum necessary, 45 CFR 164.502(b)): its `parties` while active in
/// the directory and every other active key of their organisations, actors with one of `roles`
/// (oversight, such as [`Role::Regulator`]), and, when the record is about a `subject`, the
/// subject's patients.
///
/// The checks run cheapest first and stop at the first that admits `reader`; a failed call to
/// AccessConsent admits no one. A query runs as its authenticated signer, so `reader` is
/// `env().caller()`.
pub fn may_read(
    consent: Address,
    reader: &Address,
    parties: &[Address],
    roles: &[Role],
    subject: Option<&SubjectId>,
) -> bool {
    let yes = |c: ConsentCall<bool>| matches!(c.invoke(), Ok(true));
    if parties.contains(reader) {
        return yes(is_active(consent, reader));
    }
    roles.iter().any(|r| yes(has_role(consent, reader, *r)))
        || subject.is_some_and(|s| yes(acts_for(consent, reader, s)))
        || parties.iter().any(|p| yes(same_org(consent, reader, p)))
}
