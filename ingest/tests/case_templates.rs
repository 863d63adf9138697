//! Case papers, minutes and letters in the templates case systems and secretariats use, written
//! here (no real document's text): labels beside or above values, treatments tables in rows
//! and in columns, numbers first or last, blank fields, bokmål and nynorsk. Each checks what
//! must be read and, as much, what must stay empty: an archive number is never an item number.

use planarkiv_ingest::entities::{self, Case, DocumentEntities, DocumentKind};
use serde_json::Value;

fn read(text: &str) -> DocumentEntities {
    entities::extract_from_text(text)
}

fn case(text: &str) -> Case {
    let e = read(text);
    assert_eq!(e.document_kind, DocumentKind::CasePaper, "{text}");
    e.case.expect("a case")
}

/// (body, date, item number, type) of a treatment.
type Seen = (String, Option<String>, Option<String>, Option<String>);

fn treatments(c: &Case) -> Vec<Seen> {
    c.treatments
        .iter()
        .map(|t| {
            (
                t.body.value.clone(),
                t.meeting_date.as_ref().map(|d| d.value.to_string()),
                t.item_number.as_ref().map(|n| n.value.clone()),
                t.item_type.clone(),
            )
        })
        .collect()
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[test]
fn elements_columns_with_blank_numbers() {
    let c = case(
        "SAKSFRAMLEGG\nSaksgang\nUtvalg\nEldrerådet\nHovedutvalg helse og velferd\nKommunestyret\n\n\
         Møtedato\n\nUtvalgssak\n\nArkivsaksnr: 2026/412\nSaksbehandler: Kari Nordmann\n\n\
         Ny dagtilbudsplass for personer med demens\nVedlegg:\n1\nKostnadsoverslag\n\n\
         Kommunedirektørens forslag til vedtak:\nKommunen oppretter fire nye plasser fra 1. september.\n\n\
         Saksopplysninger:\nBehovet har økt.\n",
    );
    assert_eq!(
        c.archive_number.as_ref().map(|a| a.value.as_str()),
        Some("2026/412")
    );
    assert!(
        c.number.is_none(),
        "a blank Utvalgssak stays blank: {:?}",
        c.number
    );
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Ny dagtilbudsplass for personer med demens")
    );
    let t = treatments(&c);
    assert_eq!(t.len(), 3, "{t:?}");
    assert!(t.iter().all(|r| r.1.is_none() && r.2.is_none()));
    assert_eq!(t[1].0, "Hovedutvalg helse og velferd");
    assert_eq!(
        c.proposed_decision.as_ref().map(|d| d.value.as_str()),
        Some("Kommunen oppretter fire nye plasser fra 1. september.")
    );
}

#[test]
fn elements_columns_with_dates_and_numbers_that_line_up() {
    let c = case(
        "SAKSFRAMLEGG\nSaksgang\nUtvalg\nFormannskapet\nKommunestyret\n\nMøtedato\n04.03.2026\n18.03.2026\n\n\
         Utvalgssak\nPS 14/2026\nPS 22/2026\n\nArkivsaksnr: 2025/3301\nSaksbehandler: Ola Nordmann\n\n\
         Gebyrregulativ 2026\n\nKommunedirektørens innstilling:\nRegulativet vedtas.\n",
    );
    assert_eq!(
        treatments(&c),
        [
            (
                s("Formannskapet"),
                Some(s("2026-03-04")),
                Some(s("14.26")),
                Some(s("PS"))
            ),
            (
                s("Kommunestyret"),
                Some(s("2026-03-18")),
                Some(s("22.26")),
                Some(s("PS"))
            ),
        ]
    );
    // The deciding body's number, date and name are the case's.
    assert_eq!(c.number.as_ref().map(|n| n.value.as_str()), Some("22.26"));
    assert_eq!(
        c.body.as_ref().map(|b| b.value.as_str()),
        Some("Kommunestyret")
    );
    assert_eq!(
        c.meeting_date
            .as_ref()
            .map(|d| d.value.to_string())
            .as_deref(),
        Some("2026-03-18")
    );
    assert_eq!(
        c.archive_number.as_ref().map(|a| a.value.as_str()),
        Some("2025/3301")
    );
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Gebyrregulativ 2026")
    );
}

#[test]
fn a_row_table_number_first_as_in_acos() {
    let c = case(
        "SAKSFRAMLEGG\n\nSaksbehandler: Per Hansen\nArkivsaksnr.: 26/918\nArkiv: 033\n\n\
         Saksnr. Utvalg Møtedato\n31/26 Formannskapet 10.03.2026\n\n\
         Revisjon av delegeringsreglement\n\nRådmannens forslag til vedtak:\nReglementet vedtas.\n",
    );
    assert_eq!(
        c.archive_number.as_ref().map(|a| a.value.as_str()),
        Some("2026/918")
    );
    assert_eq!(
        treatments(&c),
        [(
            s("Formannskapet"),
            Some(s("2026-03-10")),
            Some(s("31.26")),
            None
        )]
    );
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Revisjon av delegeringsreglement")
    );
}

#[test]
fn public_360_reference_and_a_number_column_in_the_middle() {
    let c = case(
        "Saksframlegg\n\nVår ref.: 26/00412-3\nSaksbehandler: Lise Berg\n\n\
         Utvalg Utvalgssak Møtedato\nOppvekstutvalget 15/26 11.02.2026\n\n\
         Skolestruktur i nord\n\nForslag til vedtak:\nSaken tas til orientering.\n",
    );
    assert_eq!(
        c.archive_number.as_ref().map(|a| a.value.as_str()),
        Some("2026/412")
    );
    assert_eq!(
        treatments(&c),
        [(
            s("Oppvekstutvalget"),
            Some(s("2026-02-11")),
            Some(s("15.26")),
            None
        )]
    );
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Skolestruktur i nord")
    );
}

#[test]
fn nynorsk_paper() {
    let c = case(
        "SAKSFRAMLEGG\n\nSaksgang Møtedato Saknr\nUtval for helse og omsorg 03.03.2026 022/26\nKommunestyret\n\n\
         Sakshandsamar: Randi Vik\nArkivsak: 2026/77\n\n\
         Tenesteplan for heimetenester\n\nFramlegg til vedtak:\nKommunestyret vedtek planen.\n\n\
         Saksopplysningar:\nPlanen er utarbeidd saman med brukarane.\n",
    );
    assert_eq!(
        c.archive_number.as_ref().map(|a| a.value.as_str()),
        Some("2026/77")
    );
    let t = treatments(&c);
    assert_eq!(
        t[0],
        (
            s("Utval for helse og omsorg"),
            Some(s("2026-03-03")),
            Some(s("22.26")),
            None
        )
    );
    assert_eq!(t[1], (s("Kommunestyret"), None, None, None));
    // The nynorsk body keeps its own name.
    assert_eq!(
        c.body.as_ref().map(|b| b.value.as_str()),
        Some("Utval for helse og omsorg")
    );
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Tenesteplan for heimetenester")
    );
    assert_eq!(
        c.proposed_decision.as_ref().map(|d| d.value.as_str()),
        Some("Kommunestyret vedtek planen.")
    );
}

#[test]
fn a_secretariat_word_template_keeps_its_item_number() {
    let c = case(
        "Saksframlegg\n\nSak 07/26: Budsjett for samhandlingssekretariatet\nMøtedato: 12.03.2026\n\
         Utvalg: Strategisk samarbeidsutvalg\n\nBakgrunn\n\nTekst om budsjettet.\n\n\
         Forslag til vedtak:\nSSU vedtar budsjettet.\n",
    );
    assert_eq!(c.number.as_ref().map(|n| n.value.as_str()), Some("07.26"));
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Budsjett for samhandlingssekretariatet")
    );
    assert!(c.archive_number.is_none());
}

#[test]
fn the_archive_number_never_becomes_the_item_number() {
    for text in [
        "SAKSFRAMLEGG\n\nArkivsaksnr: 2026/308\nSaksbehandler: Kari\n\nTittel på saken\n\nForslag til vedtak:\nVedtas.\n",
        "SAKSFRAMLEGG\nUtvalg Møtedato Utvalgssak\nFormannskapet 12.03.2026\n\nArkivsaksnr: 2026/308\n\nTittel\n\nInnstilling:\nVedtas.\n",
        "Saksframlegg\nArkivsaksnr.\n2026/308\n\nTittel\n\nForslag til vedtak: Vedtas.\n",
    ] {
        let c = case(text);
        assert!(c.number.is_none(), "{text}: {:?}", c.number);
        assert!(c.year.is_none() && c.sequence.is_none());
        assert_eq!(c.archive_number.as_ref().map(|a| a.value.as_str()), Some("2026/308"), "{text}");
        assert!(
            c.treatments.iter().all(|t| t.item_number.is_none()),
            "{text}"
        );
    }
}

#[test]
fn a_reference_in_the_appendix_list_is_not_the_papers_number() {
    let c = case(
        "SAKSFRAMLEGG\nSaksgang\nUtvalg\nFormannskap\n\nMøtedato\n\nUtvalgssak\n\nArkivsaksnr: 2026/55\n\
         Saksbehandler: Kari\n\nLokalmat i kantinene\nVedlegg:\nSak 12/25 Regionrådet: PS 12/25 Mat mot 2030\n\n\
         Kommunedirektørens forslag til vedtak:\nAndelen økes.\n",
    );
    assert!(c.number.is_none(), "{:?}", c.number);
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Lokalmat i kantinene")
    );
}

#[test]
fn a_wrapped_title_is_read_whole() {
    let c = case(
        "SAKSFRAMLEGG\n\nArkivsaksnr: 2026/90\nSaksbehandler: Kari\n\n\
         Høring om ny forskrift for tilskudd til lag og foreninger i\nkommunen\n\n\
         Forslag til vedtak:\nUttalelsen sendes.\n",
    );
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Høring om ny forskrift for tilskudd til lag og foreninger i kommunen")
    );
}

#[test]
fn minutes_and_treatment_protocols_are_minutes() {
    for text in [
        "Møteprotokoll\n\nUtvalg: Formannskapet\nMøtedato: 12.02.2026\n\nPS 10/2026 Budsjett\nVedtak:\nVedtatt.\n",
        "Formannskapets behandling av sak 10/2026 i møte den 12.02.2026:\n\nBehandling\n\nInnstilling:\nVedtas.\n",
        "SKOLEN\nMØTEREFERAT\nSAMARBEIDSUTVALGET\nMøtedato: 03.02.2026\n\nSak 1/26 Årsplan\n",
        "Møtebok\n\nUtval: Kommunestyret\n\nSak 4/26 Handsaming av planen\n",
    ] {
        let e = read(text);
        assert_eq!(e.document_kind, DocumentKind::Minutes, "{text}");
        assert!(e.case.is_none());
    }
}

#[test]
fn letters_and_mails_are_letters_without_case_numbers() {
    for text in [
        "Fra: Kari Nordmann\nSendt: 01.02.2026 17:00\nTil: Postmottak\nEmne: Spørsmål til sak 12/26\n\nHei, jeg lurer på saken.\n",
        "From: post@example.no\nSent: Thursday, December 18, 2025 10:01\nTo: postmottak@example.no\nSubject: Varsel\n\nVår ref 2024/1073\n",
        "Kommunen\n\nDeres ref.: 25/441\nVår ref.: 2026/77-4\nDato: 02.02.2026\n\nSvar på søknad om tilskudd\n\nVi viser til søknaden.\n",
    ] {
        let e = read(text);
        assert_eq!(e.document_kind, DocumentKind::Letter, "{text}");
        assert!(e.case.is_none(), "{text}");
    }
}

#[test]
fn a_form_with_only_a_number_is_not_a_case_paper() {
    let e = read("SAK\n10/25\n\nRAPPORTERINGSSKJEMA\n\nBeskrivelse: Støtte til arrangement\n\nBeløp: 10.000\n");
    assert_ne!(e.document_kind, DocumentKind::CasePaper);
}

#[test]
fn the_json_shape_carries_archive_number_and_treatments() {
    let e = read(
        "SAKSFRAMLEGG\nUtvalg Møtedato Saksnr\nFormannskapet 12.03.2026 PS 10/2026\n\nArkivsaksnr: 2026/9\n\nTittel\n\nInnstilling:\nVedtas.\n",
    );
    let v: Value = serde_json::to_value(&e).expect("json");
    assert_eq!(v["document_kind"], "case_paper");
    assert_eq!(v["case"]["archive_number"], "2026/9");
    assert_eq!(v["case"]["number"], "10.26");
    assert_eq!(v["case"]["treatments"][0]["body"], "Formannskapet");
    assert_eq!(v["case"]["treatments"][0]["meeting_date"], "2026-03-12");
    assert_eq!(v["case"]["treatments"][0]["item_number"], "10.26");
    assert_eq!(v["case"]["treatments"][0]["item_type"], "PS");
    // Provenance for each value read.
    let paths: Vec<String> = e.provenance().into_iter().map(|(p, _)| p).collect();
    for want in [
        "case.archive_number",
        "case.treatments[0].body",
        "case.treatments[0].meeting_date",
        "case.treatments[0].item_number",
    ] {
        assert!(paths.iter().any(|p| p == want), "{want} in {paths:?}");
    }
}

#[test]
fn reports_name_themselves() {
    for text in [
        "Årsrapport 2025\n\nHelsefellesskapet\n\nInnledning\n\nÅret har vært preget av mye arbeid.\n",
        "Rapport frå arbeidsgruppa for legevakt\n\nSamandrag\n\nGruppa tilrår ei felles ordning.\n",
    ] {
        assert_eq!(read(text).document_kind, DocumentKind::Report, "{text}");
    }
    // A case paper about a report stays a case paper.
    let e = read(
        "SAKSFRAMLEGG\n\nArkivsaksnr: 2026/12\nSaksbehandler: Kari\n\nÅrsrapport 2025 for helsefellesskapet\n\nForslag til vedtak:\nRapporten tas til orientering.\n",
    );
    assert_eq!(e.document_kind, DocumentKind::CasePaper);
}

#[test]
fn ephorte_style_header_with_a_nr_column_and_short_years() {
    let c = case(
        "Saksframlegg\n\nDato: 02.03.2026\nArkivsak: 2026/412-3\nSaksbehandler: Eva Lund\n\n\
         Saksgang\nNr. Utvalg Møtedato\n14/26 Helse- og omsorgsutvalget 10.03.2026\n22/26 Kommunestyret 24.03.2026\n\n\
         Ny turnusordning i hjemmetjenesten\n\nKommunedirektørens innstilling:\nOrdningen innføres.\n",
    );
    assert_eq!(
        c.archive_number.as_ref().map(|a| a.value.as_str()),
        Some("2026/412")
    );
    assert_eq!(
        treatments(&c),
        [
            (
                s("Helse- og omsorgsutvalget"),
                Some(s("2026-03-10")),
                Some(s("14.26")),
                None
            ),
            (
                s("Kommunestyret"),
                Some(s("2026-03-24")),
                Some(s("22.26")),
                None
            ),
        ]
    );
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Ny turnusordning i hjemmetjenesten")
    );
}

#[test]
fn labels_beside_values_without_a_table_give_one_treatment() {
    let c = case(
        "Saksframlegg\n\nUtvalg: Hovedutvalg for teknikk og miljø\nMøtedato: 10.03.2026\nSaksnr: 14/26\n\
         Arkivsaksnr: 2026/412\n\nNy gatebelysning\n\nForslag til vedtak:\nTiltaket gjennomføres.\n",
    );
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Ny gatebelysning")
    );
    assert_eq!(
        c.archive_number.as_ref().map(|a| a.value.as_str()),
        Some("2026/412")
    );
    assert_eq!(
        treatments(&c),
        [(
            s("Hovedutvalg for teknikk og miljø"),
            Some(s("2026-03-10")),
            Some(s("14.26")),
            None
        )]
    );
}

#[test]
fn table_rows_with_two_digit_years_and_written_months() {
    let c = case(
        "Saksframlegg\n\nArkivsak-dok.: 26/412-3\nSaksbehandler: Eva\n\nSaksgang Møtedato Saksnr\n\
         Formannskapet 10.03.26 14/26\nKommunestyret 24. mars 2026 PS 22/26\n\nTittel\n\nInnstilling:\nJa.\n",
    );
    assert_eq!(
        c.archive_number.as_ref().map(|a| a.value.as_str()),
        Some("2026/412")
    );
    assert_eq!(
        treatments(&c),
        [
            (
                s("Formannskapet"),
                Some(s("2026-03-10")),
                Some(s("14.26")),
                None
            ),
            (
                s("Kommunestyret"),
                Some(s("2026-03-24")),
                Some(s("22.26")),
                Some(s("PS"))
            ),
        ]
    );
}
