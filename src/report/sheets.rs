//! `route_sheets.html`: one printable page per route for the driver and the passenger
//! assistant: vehicle, operator, assistant, every stop of the morning and afternoon runs
//! in order with its time, pupil id, needs and school, and a mini-map of both runs along
//! the roads. Self-contained (inline SVG and CSS, print styles; no scripts, no network).
//! Pupils by id only; a UPRN and postcode are shown when the council's files give them.

use super::RoadLines;
use super::html::{Projector, esc};
use crate::plan::{Event, Place, Plan, PlannedRoute};
use crate::scenario::Scenario;
use crate::units::{Pence, hhmm};
use std::fmt::Write as _;

/// The needs of a pupil a driver and an assistant must know, in words.
fn needs(sc: &Scenario, pupil: usize) -> String {
    let p = &sc.pupils[pupil];
    let mut n = Vec::new();
    if p.wheelchair {
        n.push("wheelchair");
    }
    if p.needs_assistant {
        n.push("needs assistant");
    }
    if p.solo {
        n.push("travels alone");
    }
    if n.is_empty() {
        "—".into()
    } else {
        n.join(", ")
    }
}

/// A mini-map of a route: both runs along the roads, homes as dots, schools as squares.
pub(super) fn mini_map(
    sc: &Scenario,
    r: &PlannedRoute,
    coords: &[[f64; 2]],
    lines: &RoadLines,
) -> String {
    let runs: Vec<(usize, Vec<[f64; 2]>)> = r
        .halves()
        .enumerate()
        .map(|(k, (_, h))| {
            let locs: Vec<usize> = h.stops.iter().map(|s| s.loc).collect();
            (k, lines.run(coords, &locs))
        })
        .collect();
    let all: Vec<[f64; 2]> = runs.iter().flat_map(|(_, l)| l.iter().copied()).collect();
    let (w, h) = (360.0, 260.0);
    let pr = Projector::fit(&all, w, h);
    let mut s = format!(
        r##"<svg class="mini" viewBox="0 0 {w} {h}" role="img" aria-label="map of route {}"><rect width="{w}" height="{h}" fill="#fafafa" stroke="#ccc"/>"##,
        esc(&r.id)
    );
    for (k, line) in &runs {
        // Points closer than a pixel to the last one kept add nothing at this size.
        let mut pts: Vec<String> = Vec::new();
        let mut last = (f64::NAN, f64::NAN);
        for (i, &p) in line.iter().enumerate() {
            let (x, y) = pr.xy(p);
            if i > 0 && i + 1 < line.len() && (x - last.0).abs() + (y - last.1).abs() < 1.0 {
                continue;
            }
            pts.push(format!("{x:.1},{y:.1}"));
            last = (x, y);
        }
        let dash = if *k == 0 {
            ""
        } else {
            r#" stroke-dasharray="5 3""#
        };
        let _ = write!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"#,
            pts.join(" "),
            if *k == 0 { "#1f5fb4" } else { "#c62828" }
        );
    }
    for (_, half) in r.halves() {
        for st in &half.stops {
            let (x, y) = pr.xy(coords[st.loc]);
            match st.place {
                Place::Home => {
                    let _ = write!(
                        s,
                        r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="white" stroke="black"/>"#
                    );
                }
                Place::School => {
                    let _ = write!(
                        s,
                        r#"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="black"/><text x="{:.1}" y="{:.1}" font-size="10">{}</text>"#,
                        x - 4.0,
                        y - 4.0,
                        x + 6.0,
                        y - 4.0,
                        esc(&sc.schools[st.school].id)
                    );
                }
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// The sheets of every route of `plan`. `award[k]` is route k's operator and price a day
/// when it has been tendered.
pub fn route_sheets(
    sc: &Scenario,
    plan: &Plan,
    coords: &[[f64; 2]],
    lines: &RoadLines,
    award: Option<&[(String, Pence)]>,
) -> String {
    let mut h = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Route sheets — {name}</title><style>
body{{font:13px/1.35 system-ui,sans-serif;margin:16px;color:#111}}
.sheet{{max-width:760px;margin:0 auto 32px;border:1px solid #bbb;padding:14px 18px;page-break-after:always;break-after:page}}
h1{{font-size:20px;margin:0 0 4px}}h2{{font-size:15px;margin:12px 0 4px}}
.facts{{display:flex;flex-wrap:wrap;gap:4px 18px;margin:4px 0 8px}}.facts b{{font-weight:600}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left}}th{{background:#f2f2f2}}
.mini{{width:360px;height:260px;float:right;margin:0 0 8px 12px}}.key{{font-size:11px;color:#555}}
@media print{{body{{margin:0;font-size:10.5px}}.sheet{{border:none;margin:0;padding:4mm}}.noprint{{display:none}}td,th{{padding:1px 4px}}.mini{{width:290px;height:210px}}h2{{margin:6px 0 2px}}}}
@page{{size:A4;margin:10mm}}
</style></head><body><p class="noprint">{n} route sheet(s) for {name}: print this page (one route per sheet). Pupils are shown by id only.</p>"#,
        name = esc(&sc.name),
        n = plan.routes.len()
    );
    let address = |st: &crate::plan::PlanStop| -> String {
        let a = match st.place {
            Place::Home => sc.addresses.pupils.get(&sc.pupils[st.pupil].id),
            Place::School => sc.addresses.schools.get(&sc.schools[st.school].id),
        };
        a.map(|a| {
            [a.postcode.as_deref(), a.uprn.as_deref()]
                .iter()
                .flatten()
                .copied()
                .collect::<Vec<&str>>()
                .join(" · ")
        })
        .unwrap_or_default()
    };
    let with_address = !sc.addresses.pupils.is_empty() || !sc.addresses.schools.is_empty();
    for (k, r) in plan.routes.iter().enumerate() {
        let v = &sc.vehicles[r.vehicle];
        let operator = award
            .and_then(|a| a.get(k))
            .map_or("not yet tendered".to_string(), |(o, p)| {
                format!("{} ({} a day)", esc(o), p)
            });
        let _ = write!(
            h,
            r#"<section class="sheet"><h1>Route {id}</h1>{map}<div class="facts"><span><b>Vehicle</b> {vt} ({seats} seats, {wc} wheelchair space(s))</span><span><b>Operator</b> {operator}</span><span><b>Passenger assistant</b> {pa}</span><span><b>Pupils</b> {n}</span></div>"#,
            id = esc(&r.id),
            map = mini_map(sc, r, coords, lines),
            vt = esc(&v.id),
            seats = v.seats,
            wc = v.wheelchair_spaces,
            pa = if r.assistant { "yes" } else { "no" },
            n = r.pupils.len(),
        );
        for (half, run) in r.halves() {
            let title = match half {
                crate::plan::Half::Am => "Morning: homes to school",
                crate::plan::Half::Pm => "Afternoon: school to homes",
            };
            let _ = write!(
                h,
                "<h2>{title}</h2><table><tr><th>time</th><th>stop</th><th>pupil</th><th>needs</th><th>school</th>{}</tr>",
                if with_address {
                    "<th>postcode · UPRN</th>"
                } else {
                    ""
                }
            );
            for st in &run.stops {
                let what = match (st.event, st.place) {
                    (Event::Pickup, Place::Home) => "pick up at home",
                    (Event::Pickup, Place::School) => "pick up at school",
                    (Event::Dropoff, Place::School) => "drop at school",
                    (Event::Dropoff, Place::Home) => "drop at home",
                };
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{what}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>",
                    hhmm(st.time_s),
                    esc(&sc.pupils[st.pupil].id),
                    needs(sc, st.pupil),
                    esc(&sc.schools[st.school].id),
                    if with_address {
                        format!("<td>{}</td>", esc(&address(st)))
                    } else {
                        String::new()
                    }
                );
            }
            let _ = write!(
                h,
                "</table><p class=key>{:.1} km, {:.0} minutes engaged.</p>",
                run.metres as f64 / 1000.0,
                run.seconds as f64 / 60.0
            );
        }
        h.push_str(
            "<p class=key>Map: morning blue, afternoon red dashed; circles homes, squares schools. Roads © OpenStreetMap contributors (ODbL).</p></section>",
        );
    }
    h.push_str("</body></html>\n");
    h
}
