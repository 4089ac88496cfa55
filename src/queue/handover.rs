//! Token handovers (R16, Hưng Yên 13.6): the record PDF is a queue document (role
//! `sign`, so both people sign it on the *Ký* screen or with `kyso sign`), and a
//! `handovers` row says which token went from whom to whom on which date. The
//! report (*Báo cáo*, `kyso archive report`) lists them.

use std::path::Path;

use rusqlite::{params, TransactionBehavior};
use serde::Serialize;

use super::store::{insert_event, Event};
use super::{db_err, now, DocRole, Document, Queue, QueueError};

/// One handover as the queue keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HandoverEntry {
    /// Row id.
    pub id: i64,
    /// The record's queue document.
    pub document_id: i64,
    /// Token label.
    pub token_label: String,
    /// Token serial number.
    pub token_serial: String,
    /// Token model.
    pub token_model: String,
    /// Who handed it over.
    pub from_name: String,
    /// Who received it.
    pub to_name: String,
    /// The witness, if named.
    pub witness: Option<String>,
    /// The handover date, `YYYY-MM-DD`.
    pub handover_date: String,
}

/// What [`Queue::record_handover`] is told.
#[derive(Clone, Debug)]
pub struct NewHandover<'a> {
    /// Token label.
    pub token_label: &'a str,
    /// Token serial.
    pub token_serial: &'a str,
    /// Token model.
    pub token_model: &'a str,
    /// Who hands it over.
    pub from_name: &'a str,
    /// Who receives it.
    pub to_name: &'a str,
    /// The witness.
    pub witness: Option<&'a str>,
    /// `YYYY-MM-DD`.
    pub handover_date: &'a str,
}

impl Queue {
    /// Add the record PDF at `record` to the queue (role `sign`) and the handover
    /// row naming it, with a `handover` history row.
    pub fn record_handover(&mut self, record: &Path, h: &NewHandover<'_>) -> Result<(Document, HandoverEntry), QueueError> {
        let doc = self.add(record, DocRole::Sign)?;
        let db = db_err(&self.db_path);
        let at = now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&db)?;
        tx.execute(
            "INSERT INTO handovers (document_id, token_label, token_serial, token_model, from_name, to_name, witness,
                 handover_date, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![doc.id, h.token_label, h.token_serial, h.token_model, h.from_name, h.to_name, h.witness, h.handover_date, at],
        )
        .map_err(&db)?;
        let id = tx.last_insert_rowid();
        let detail = format!("{} → {} ({})", h.from_name, h.to_name, h.token_serial);
        insert_event(&tx, doc.id, &at, &Event { action: "handover", detail: Some(&detail), ..Event::default() }).map_err(&db)?;
        tx.commit().map_err(&db)?;
        let entry = HandoverEntry {
            id,
            document_id: doc.id,
            token_label: h.token_label.to_owned(),
            token_serial: h.token_serial.to_owned(),
            token_model: h.token_model.to_owned(),
            from_name: h.from_name.to_owned(),
            to_name: h.to_name.to_owned(),
            witness: h.witness.map(str::to_owned),
            handover_date: h.handover_date.to_owned(),
        };
        Ok((doc, entry))
    }

    /// The handovers of `year` (every one with `None`), oldest first.
    pub fn handovers(&self, year: Option<i32>) -> Result<Vec<HandoverEntry>, QueueError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, document_id, token_label, token_serial, token_model, from_name, to_name, witness, handover_date
                 FROM handovers ORDER BY handover_date, id",
            )
            .map_err(self.db())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(HandoverEntry {
                    id: r.get(0)?,
                    document_id: r.get(1)?,
                    token_label: r.get(2)?,
                    token_serial: r.get(3)?,
                    token_model: r.get(4)?,
                    from_name: r.get(5)?,
                    to_name: r.get(6)?,
                    witness: r.get(7)?,
                    handover_date: r.get(8)?,
                })
            })
            .map_err(self.db())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.db())?;
        Ok(rows.into_iter().filter(|h| year.is_none_or(|y| h.handover_date.get(0..4) == Some(y.to_string().as_str()))).collect())
    }
}
