//! The periodic report (R17, Bắc Giang Art. 12): how many documents were signed,
//! per role, per half-year and per year.
//!
//! The role is the act: `sign` counts documents a person signed (a history row
//! entering `signed`), `seal` documents the agency sealed (entering `sealed`), and
//! `incoming` incoming documents registered (entering `registered`). A document
//! counts once per act, in the period of its first such row, so the two halves add
//! up to the year; a draft the leader signed and the clerk then sealed counts once
//! under `sign` and once under `seal`.

use std::collections::HashMap;

use serde::Serialize;

use crate::queue::{DocRole, Queue, QueueError};

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    /// `2026-H1` (January–June), `2026-H2` (July–December) or `2026` (the year).
    pub period: String,
    /// The act counted: personal signature, agency seal, incoming registered.
    pub role: DocRole,
    /// Documents in the period.
    pub count: u64,
}

impl Queue {
    /// The report for `year`: rows for H1, H2 and the whole year, each with all
    /// three roles (zero included), in that order.
    pub fn report(&self, year: i32) -> Result<Vec<ReportRow>, QueueError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT h.status, MIN(h.at) FROM history h
                 WHERE h.status IN ('signed', 'sealed', 'registered')
                 GROUP BY h.document_id, h.status",
            )
            .map_err(self.db())?;
        let firsts = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(self.db())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.db())?;
        let mut counts: HashMap<(u8, DocRole), u64> = HashMap::new();
        for (status, at) in firsts {
            let role = match status.as_str() {
                "signed" => DocRole::Sign,
                "sealed" => DocRole::Seal,
                _ => DocRole::Incoming,
            };
            let y = at.get(0..4).and_then(|s| s.parse::<i32>().ok());
            let m = at.get(5..7).and_then(|s| s.parse::<u8>().ok());
            if let (Some(y), Some(m)) = (y, m) {
                if y == year {
                    *counts.entry((if m <= 6 { 1 } else { 2 }, role)).or_default() += 1;
                }
            }
        }
        let mut rows = Vec::with_capacity(9);
        for half in [1u8, 2] {
            for role in DocRole::ALL {
                let count = counts.get(&(half, role)).copied().unwrap_or(0);
                rows.push(ReportRow { period: format!("{year}-H{half}"), role, count });
            }
        }
        for role in DocRole::ALL {
            let count = [1u8, 2].iter().map(|h| counts.get(&(*h, role)).copied().unwrap_or(0)).sum();
            rows.push(ReportRow { period: year.to_string(), role, count });
        }
        Ok(rows)
    }

    /// [`Queue::report`] as CSV (`period,role,count`, one row per line, `\n`).
    pub fn report_csv(&self, year: i32) -> Result<String, QueueError> {
        let mut out = String::from("period,role,count\n");
        for r in self.report(year)? {
            out.push_str(&format!("{},{},{}\n", r.period, r.role.as_str(), r.count));
        }
        Ok(out)
    }
}
