//! `report.html`: one self-contained page (inline SVG and CSS, one small inline script
//! for the map's route and school views; no network)
//! with the map, the per-route manifests, the cost tables, the savings and the charts.

use crate::plan::{Event, Plan, PlannedRoute};
use crate::savings::waterfall::{Headlines, Spread, Waterfall};
use crate::savings::{Projection, Savings, Target};
use crate::scenario::Scenario;
use crate::units::{Pence, hhmm};
use std::fmt::Write as _;

/// Everything the report shows.
pub struct ReportData<'a> {
    /// The scenario.
    pub sc: &'a Scenario,
    /// The plan (with matrix locations on its stops).
    pub plan: &'a Plan,
    /// `[lat, lon]` of each matrix location.
    pub coords: &'a [[f64; 2]],
    /// The roads driven on each leg of the plan.
    pub lines: &'a super::RoadLines,
    /// Road polylines (`[lat, lon]` points) and whether residential.
    pub roads: Vec<(&'a [[f64; 2]], bool)>,
    /// Supplier and price per day of each route, in plan order (from the tender).
    pub award: Vec<(String, Pence)>,
    /// The waterfall of the run shown.
    pub waterfall: Waterfall,
    /// The headlines with their spread over seeds.
    pub headlines: &'a Headlines,
    /// Per-pupil savings.
    pub savings: &'a Savings,
    /// Offers to make.
    pub targets: &'a [Target],
    /// Projection.
    pub projection: &'a Projection,
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn money(p: Pence) -> String {
    p.to_string()
}

fn colour(k: usize) -> String {
    format!("hsl({:.0},70%,42%)", (k as f64 * 137.508) % 360.0)
}

/// Equirectangular projection of the roads' bounding box onto a `width`-pixel map.
pub(super) struct Projector {
    lat1: f64,
    lon0: f64,
    k: f64,
    kx: f64,
    width: f64,
    height: f64,
}

impl Projector {
    /// Fitted into `width` × `height` pixels (the longer side fills its dimension),
    /// with a margin of 5%.
    pub(super) fn fit(points: &[[f64; 2]], width: f64, height: f64) -> Projector {
        let [la0, la1, lo0, lo1] = Self::bounds(points.iter().copied());
        let kx = ((la0 + la1) / 2.0).to_radians().cos();
        let (span_x, span_y) = (((lo1 - lo0) * kx).max(1e-6), (la1 - la0).max(1e-6));
        let k = 0.9 * (width / span_x).min(height / span_y);
        // Centre the drawing in the box.
        let (used_x, used_y) = (span_x * k, span_y * k);
        Projector {
            lat1: la1 + (height - used_y) / 2.0 / k,
            lon0: lo0 - (width - used_x) / 2.0 / k / kx,
            k,
            kx,
            width,
            height,
        }
    }

    /// `[min lat, max lat, min lon, max lon]` of the points (a unit box when empty).
    fn bounds(points: impl Iterator<Item = [f64; 2]>) -> [f64; 4] {
        let mut b = [90.0f64, -90.0f64, 180.0f64, -180.0f64];
        for [la, lo] in points {
            b = [b[0].min(la), b[1].max(la), b[2].min(lo), b[3].max(lo)];
        }
        if b[0] > b[1] { [0.0, 1.0, 0.0, 1.0] } else { b }
    }

    fn new(points: impl Iterator<Item = [f64; 2]>, width: f64) -> Projector {
        let [la0, la1, lo0, lo1] = Self::bounds(points);
        let kx = ((la0 + la1) / 2.0).to_radians().cos();
        let span_x = ((lo1 - lo0) * kx).max(1e-9);
        let k = width / span_x;
        Projector {
            lat1: la1,
            lon0: lo0,
            k,
            kx,
            width,
            height: ((la1 - la0) * k).max(1.0),
        }
    }
    pub(super) fn xy(&self, p: [f64; 2]) -> (f64, f64) {
        (
            (p[1] - self.lon0) * self.kx * self.k,
            (self.lat1 - p[0]) * self.k,
        )
    }
}

/// The road network as two SVG paths (residential lighter), simplified to the pixel.
fn roads_svg(pr: &Projector, roads: &[(&[[f64; 2]], bool)]) -> String {
    let mut s = String::new();
    for residential in [true, false] {
        let mut path = String::new();
        for (line, res) in roads {
            if *res != residential {
                continue;
            }
            let mut last = (f64::NAN, f64::NAN);
            for (i, &p) in line.iter().enumerate() {
                let (x, y) = pr.xy(p);
                if i > 0 && i + 1 < line.len() && (x - last.0).abs() + (y - last.1).abs() < 1.5 {
                    continue;
                }
                let _ = write!(path, "{}{:.1} {:.1}", if i == 0 { "M" } else { "L" }, x, y);
                last = (x, y);
            }
        }
        let _ = write!(
            s,
            r##"<path d="{path}" fill="none" stroke="{}" stroke-width="{}"/>"##,
            if residential { "#d8d8d8" } else { "#b0b0b0" },
            if residential { 0.6 } else { 1.2 }
        );
    }
    s
}

/// A run's points along the roads, projected, as an SVG `points` list.
fn run_points(
    pr: &Projector,
    lines: &super::RoadLines,
    coords: &[[f64; 2]],
    run: &crate::plan::HalfDay,
) -> String {
    let locs: Vec<usize> = run.stops.iter().map(|st| st.loc).collect();
    let mut pts: Vec<String> = lines
        .run(coords, &locs)
        .into_iter()
        .map(|p| {
            let (x, y) = pr.xy(p);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    pts.dedup();
    pts.join(" ")
}

/// The ids of the schools a route serves, space-separated (for the map's school view).
fn route_schools(sc: &Scenario, r: &PlannedRoute) -> String {
    let mut v: Vec<&str> = r
        .pupils
        .iter()
        .map(|&p| sc.schools[sc.pupils[p].school].id.as_str())
        .collect();
    v.sort_unstable();
    v.dedup();
    v.join(" ")
}

fn map_svg(d: &ReportData<'_>) -> String {
    let pr = Projector::new(d.roads.iter().flat_map(|(l, _)| l.iter().copied()), 1100.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="map" viewBox="-10 -10 {:.0} {:.0}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Map of roads and routes">"#,
        pr.width + 20.0,
        pr.height + 20.0
    );
    s.push_str(&roads_svg(&pr, &d.roads));
    for (k, r) in d.plan.routes.iter().enumerate() {
        let Some(run) = r.am.as_ref().or(r.pm.as_ref()) else {
            continue;
        };
        let c = colour(k);
        let _ = write!(
            s,
            r#"<g class="rt" data-route="{id}" data-schools=" {sch} "><polyline points="{}" fill="none" stroke="{c}" stroke-width="2.2" stroke-opacity="0.85"><title>{id}</title></polyline>"#,
            run_points(&pr, d.lines, d.coords, run),
            id = esc(&r.id),
            sch = esc(&route_schools(d.sc, r))
        );
        for st in run
            .stops
            .iter()
            .filter(|st| st.place == crate::plan::Place::Home)
        {
            let (x, y) = pr.xy(d.coords[st.loc]);
            let _ = write!(
                s,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{c}" stroke="white" stroke-width="0.8"/>"#
            );
        }
        s.push_str("</g>");
    }
    let mut drawn = std::collections::BTreeSet::new();
    for r in &d.plan.routes {
        for st in
            r.am.iter()
                .chain(r.pm.iter())
                .flat_map(|run| run.stops.iter())
        {
            if st.place == crate::plan::Place::School && drawn.insert(st.school) {
                let (x, y) = pr.xy(d.coords[st.loc]);
                let _ = write!(
                    s,
                    r#"<rect x="{:.1}" y="{:.1}" width="9" height="9" fill="black"><title>{}</title></rect><text x="{:.1}" y="{:.1}" class="lbl">{}</text>"#,
                    x - 4.5,
                    y - 4.5,
                    esc(&d.sc.schools[st.school].id),
                    x + 6.0,
                    y - 5.0,
                    esc(&d.sc.schools[st.school].id)
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

fn bars_svg(title: &str, bars: &[(String, f64, f64, &str)]) -> String {
    // (label, from, to, colour): a floating bar from `from` to `to` (waterfall style).
    let max = bars.iter().map(|b| b.1.max(b.2)).fold(1.0f64, f64::max);
    let (w, h, left) = (640.0, 260.0, 10.0);
    let bw = (w - left) / bars.len() as f64;
    let y = |v: f64| 20.0 + (h - 60.0) * (1.0 - v / max);
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}">"#,
        esc(title)
    );
    for (i, (label, from, to, c)) in bars.iter().enumerate() {
        let x = left + i as f64 * bw + 8.0;
        let (top, bottom) = (y(from.max(*to)), y(from.min(*to)));
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{c}"/><text x="{:.1}" y="{:.1}" class="v">{}</text><text x="{:.1}" y="{:.1}" class="l">{}</text>"#,
            bw - 16.0,
            (bottom - top).max(1.0),
            x + (bw - 16.0) / 2.0,
            top - 4.0,
            money(Pence(((to - from).abs() * 100.0) as i64)),
            x + (bw - 16.0) / 2.0,
            h - 22.0,
            esc(label)
        );
    }
    s.push_str("</svg>");
    s
}

fn manifest(out: &mut String, k: usize, r: &PlannedRoute, d: &ReportData<'_>) {
    let (supplier, price) = d
        .award
        .get(k)
        .cloned()
        .unwrap_or_else(|| ("—".into(), Pence(0)));
    let _ = write!(
        out,
        r#"<section class="manifest" data-route="{id}" data-schools=" {sch} "><h3><span class="sw" style="background:{c}"></span>{id} · {veh}{pa} · {sup} at {price}/day</h3>{map}<table><tr><th>pupil</th><th>school</th><th>AM pickup</th><th>AM at school</th><th>PM leaves school</th><th>PM home</th></tr>"#,
        id = esc(&r.id),
        sch = esc(&route_schools(d.sc, r)),
        map = super::sheets::mini_map(d.sc, r, d.coords, d.lines),
        c = colour(k),
        veh = esc(&d.sc.vehicles[r.vehicle].id),
        pa = if r.assistant {
            " with passenger assistant"
        } else {
            ""
        },
        sup = esc(&supplier),
        price = money(price)
    );
    let time = |run: &Option<crate::plan::HalfDay>, pupil: usize, event: Event| {
        run.as_ref()
            .and_then(|x| {
                x.stops
                    .iter()
                    .find(|s| s.pupil == pupil && s.event == event)
            })
            .map(|s| hhmm(s.time_s))
            .unwrap_or_else(|| "—".into())
    };
    for &p in &r.pupils {
        let school = &d.sc.schools[d.sc.pupils[p].school].id;
        // Each pupil is listed on their morning vehicle; an afternoon run on another
        // vehicle is named there (and listed on that vehicle as an afternoon-only row).
        let pm_elsewhere = d
            .plan
            .routes
            .iter()
            .find(|o| {
                o.id != r.id
                    && o.pm
                        .as_ref()
                        .is_some_and(|x| x.stops.iter().any(|s| s.pupil == p))
            })
            .map(|o| o.id.clone());
        let on_am =
            r.am.as_ref()
                .is_some_and(|x| x.stops.iter().any(|s| s.pupil == p));
        let (pm_pick, pm_drop) = match (&pm_elsewhere, on_am) {
            (Some(o), true) => (format!("on {}", esc(o)), String::new()),
            _ => (
                time(&r.pm, p, Event::Pickup),
                time(&r.pm, p, Event::Dropoff),
            ),
        };
        let attr = if on_am { "data-pupil" } else { "data-pm-pupil" };
        let _ = write!(
            out,
            r#"<tr {attr}="{p}"><td>{p}</td><td>{school}</td><td>{}</td><td>{}</td><td>{pm_pick}</td><td>{pm_drop}</td></tr>"#,
            time(&r.am, p, Event::Pickup),
            time(&r.am, p, Event::Dropoff),
            p = esc(&d.sc.pupils[p].id),
            school = esc(school),
        );
    }
    out.push_str("</table></section>");
}

/// The words of the reports, as councils use them.
const GLOSSARY: &str = r#"<h2>Glossary</h2><table>
<tr><td>SEN / SEND</td><td>special educational needs (and disabilities)</td></tr>
<tr><td>EHCP</td><td>Education, Health and Care Plan: the legal document of a child's needs</td></tr>
<tr><td>HTS</td><td>home-to-school transport</td></tr>
<tr><td>PA</td><td>passenger assistant (escort) on a vehicle</td></tr>
<tr><td>WAV</td><td>wheelchair-accessible vehicle</td></tr>
<tr><td>solo</td><td>a pupil who must travel without other pupils</td></tr>
<tr><td>PTB</td><td>Personal Transport Budget: the council pays the family a mileage rate to take the child themselves</td></tr>
<tr><td>ITT</td><td>Independent Travel Training: the child learns to travel alone; a one-off training cost and a pass</td></tr>
<tr><td>DPS</td><td>Dynamic Purchasing System: the framework through which routes are tendered to operators</td></tr>
<tr><td>route / contract</td><td>one vehicle's morning and afternoon runs, priced per day and tendered as one lot</td></tr>
<tr><td>run</td><td>one trip of a vehicle: homes to schools in the morning, schools to homes in the afternoon; a route may chain several runs when bell times allow</td></tr>
<tr><td>reference prices</td><td>the council's own rate card (vehicles.csv): how every plan is priced before it is tendered</td></tr>
<tr><td>tender prices</td><td>what the retender awards (operators' rate cards, bids and bundles)</td></tr>
<tr><td>continuity</td><td>whether a pupil comes home on the vehicle that brought them (same_vehicle), may change at a cost (cost), or freely (free)</td></tr>
<tr><td>lower / upper bound / ceiling</td><td>limits of a pupil's route saving: the lower bound (proven) is the saving of taking them out and changing nothing else; the upper bound is the cost of putting them back into the best plan without them known; the ceiling (proven) is the cheapest vehicle-day carrying them alone, which no plan, found or not, can save more than</td></tr>
<tr><td>P10 – P90</td><td>the range holding the middle 80% of the values over the seeds or samples run</td></tr>
<tr><td>not on a route</td><td>MODE_PTB, MODE_ITT, MODE_OTHER: another arrangement; RIDE_LIMIT_UNREACHABLE: even a direct journey breaks the ride limit; SCHOOL_WINDOW_UNREACHABLE: no journey reaches the school within its bell times; NO_VEHICLE_FITS: no vehicle type carries the pupil's needs; FLEET_EXHAUSTED: no vehicle of a fitting type is left; NO_FEASIBLE_ROUTE: none of the above, yet no route was found</td></tr>
</table>"#;

/// The route/school picker above the map, with the one small inline script of the
/// report (no network; without scripts the page shows every route).
fn view_picker(d: &ReportData<'_>) -> String {
    let mut o = String::from(
        r#"<p class="noprint"><label>Show <select id="view"><option value="">all routes</option><optgroup label="route">"#,
    );
    for r in &d.plan.routes {
        let _ = write!(
            o,
            r#"<option value="r:{id}">{id}</option>"#,
            id = esc(&r.id)
        );
    }
    o.push_str(r#"</optgroup><optgroup label="school">"#);
    let mut schools: Vec<usize> = d
        .plan
        .routes
        .iter()
        .flat_map(|r| r.pupils.iter().map(|&p| d.sc.pupils[p].school))
        .collect();
    schools.sort_unstable();
    schools.dedup();
    for s in schools {
        let _ = write!(
            o,
            r#"<option value="s:{id}">{id}</option>"#,
            id = esc(&d.sc.schools[s].id)
        );
    }
    o.push_str(
        r#"</optgroup></select></label></p><script>
document.getElementById('view').addEventListener('change', function (e) {
  var v = e.target.value, map = document.querySelector('svg.map');
  map.classList.toggle('focus', v !== '');
  function hit(el) {
    return v === '' || (v[0] === 'r' ? el.dataset.route === v.slice(2)
      : (' ' + (el.dataset.schools || '') + ' ').indexOf(' ' + v.slice(2) + ' ') >= 0);
  }
  document.querySelectorAll('svg.map .rt').forEach(function (g) { g.classList.toggle('on', v !== '' && hit(g)); });
  document.querySelectorAll('section.manifest').forEach(function (m) { m.style.display = hit(m) ? '' : 'none'; });
});
</script>"#,
    );
    o
}

/// Renders the report.
pub fn render(d: &ReportData<'_>) -> String {
    let sc = d.sc;
    let b = d.waterfall;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>schoolrun report — {name}</title><style>
body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}}
h1{{font-size:22px}}h2{{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}}h3{{font-size:14px;margin:16px 0 4px}}
table{{border-collapse:collapse;margin:6px 0}}td,th{{border:1px solid #ddd;padding:3px 8px;text-align:left}}td.n,th.n{{text-align:right}}
.map{{width:100%;height:auto;border:1px solid #ccc;background:#fafafa}}.lbl{{font-size:9px}}
.map.focus .rt{{opacity:.12}}.map.focus .rt.on{{opacity:1}}.map.focus .rt.on polyline{{stroke-width:4}}
.manifest .mini{{width:240px;height:173px;float:right;margin:0 0 6px 10px}}@media print{{.noprint{{display:none}}}}
.chart{{width:640px;max-width:100%}}.chart .v{{font-size:11px;text-anchor:middle}}.chart .l{{font-size:11px;text-anchor:middle}}
.sw{{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:middle}}
.kpi{{display:flex;gap:16px;flex-wrap:wrap}}.kpi div{{border:1px solid #ccc;padding:8px 14px;border-radius:4px}}.kpi b{{display:block;font-size:20px}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:8px 24px}}
</style></head><body><h1>Home-to-school transport: {name}</h1>
<p>Roads © OpenStreetMap contributors (ODbL). Pupils are shown by id only. Costs are per year of {days} school days.</p>"#,
        name = esc(&sc.name),
        days = sc.policy.school_days
    );
    let hl = d.headlines;
    let spread = |s: &Spread| {
        if s.values.len() > 1 {
            format!(
                "median of {} seeds; range {} to {} ({:.1}%)",
                s.values.len(),
                money(s.min),
                money(s.max),
                s.range_pct()
            )
        } else {
            "one seed: no spread measured".to_string()
        }
    };
    let _ = write!(
        h,
        r#"<div class="kpi"><div>Plan searches, reference prices<b>{}</b>{}</div><div>Plan, reference prices<b>{}</b>{}</div><div>Plan, tender prices<b>{}</b>{}</div>"#,
        money(hl.plan_search.median),
        spread(&hl.plan_search),
        money(hl.plan_reference.median),
        spread(&hl.plan_reference),
        money(hl.plan_tender.median),
        spread(&hl.plan_tender),
    );
    if let Some(s) = &hl.saving {
        let _ = write!(
            h,
            r#"<div>Saving a year against today<b>{}</b>{}</div>"#,
            money(s.median),
            spread(s)
        );
    }
    let _ = write!(
        h,
        r#"<div>PTB/ITT over {} years (expected)<b>{}</b>{}</div></div><p>Each seed searched a plan ("plan searches" gives their spread); every seed's savings then start from the cheapest of them, the plan the council would run, so the other boxes show the spread of the savings searches on that plan. The figures below are those of seed {} (the cheapest plan at the end).</p>"#,
        d.projection.rows.len(),
        money(hl.ptb_itt_projection.median),
        spread(&hl.ptb_itt_projection),
        hl.chosen_seed
    );
    h.push_str("<h2>Map</h2>");
    h.push_str(&view_picker(d));
    h.push_str(&map_svg(d));
    h.push_str("<p>Morning runs along the roads driven, one colour per vehicle; black squares are schools. Pick a route or a school above to see its routes against the others greyed, and only their manifests below.</p>");

    h.push_str("<h2>From today to the plan, step by step</h2><p>Each step compares like with like on one price basis, both halves of the day.</p><table><tr><th>step</th><th class=n>change a year</th><th class=n>cost a year after it</th><th>price basis</th></tr>");
    let steps = b.steps();
    for st in &steps {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
            st.step,
            if st.change == Pence(0) && st.step == steps[0].step {
                String::new()
            } else {
                money(st.change)
            },
            money(st.level),
            esc(&st.basis)
        );
    }
    h.push_str("</table>");
    let f = |p: Pence| p.0 as f64 / 100.0;
    let mut bars: Vec<(String, f64, f64, &str)> = Vec::new();
    for (k, st) in steps.iter().enumerate() {
        if k == 0 {
            bars.push((st.step.into(), 0.0, f(st.level), "#777"));
        } else {
            let colour = if st.change > Pence(0) { "#c54" } else { "#2a8" };
            bars.push((st.step.into(), f(st.level - st.change), f(st.level), colour));
        }
    }
    bars.push(("after".into(), 0.0, f(b.after), "#357"));
    h.push_str(&bars_svg("Cost waterfall", &bars));

    h.push_str("<h2>Offers to make this term</h2><table><tr><th>#</th><th>pupil</th><th>offer</th><th class=n>uptake</th><th class=n>net saving, year 1</th><th class=n>expected over the case</th><th>why</th></tr>");
    for t in d.targets {
        let _ = write!(
            h,
            r#"<tr data-target="{p}"><td>{}</td><td>{p}</td><td>{}</td><td class=n>{:.0}%</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>"#,
            t.priority,
            t.offer.name(),
            100.0 * t.uptake,
            money(t.net_first_year),
            money(t.expected_per_case),
            esc(&t.reason),
            p = esc(&t.pupil_id)
        );
    }
    h.push_str("</table>");
    let pr = d.projection;
    let _ = write!(
        h,
        "<h2>Projection</h2><p>The same offers each year with the same expected results; each case counted for {} year(s).</p><table><tr><th>year</th><th class=n>PTB moved</th><th class=n>ITT moved</th><th class=n>in-year saving</th><th class=n>from earlier years</th><th class=n>total</th></tr>",
        pr.years_per_case
    );
    for r in &pr.rows {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{:.1}</td><td class=n>{:.1}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            r.year,
            r.ptb_moved,
            r.itt_moved,
            money(r.in_year),
            money(r.from_earlier),
            money(r.total)
        );
    }
    let _ = write!(
        h,
        "<tr><th>total</th><td></td><td></td><td></td><td></td><th class=n>{}</th></tr></table>",
        money(pr.total)
    );
    let bars: Vec<(String, f64, f64, &str)> = pr
        .rows
        .iter()
        .map(|r| (format!("year {}", r.year), 0.0, f(r.total), "#2a8"))
        .collect();
    h.push_str(&bars_svg("Projected saving by year", &bars));

    let sv = d.savings;
    let _ = write!(
        h,
        "<h2>Route savings of eligible pupils</h2><p>At reference prices, both halves of the day, against the best plan known ({} a year{}). The estimate compares the best plans known with and without the pupil, searched with equal effort from the same start: when the pupil leaves, {} is re-planned and every other route stays as it is. The lower bound is a proof: the saving of taking the pupil out and changing nothing else. The upper bound is what putting the pupil back into the best plan without them known costs: no saving exceeds it while no cheaper plan without them is found. The ceiling is a proof: the cheapest vehicle-day carrying the pupil alone (on a vehicle type without a count limit), which no plan, found or not, can save more than. {} pupils are exact over the plans known (lower and upper bounds meet). “Over the seeds” is the range of each seed's own estimate for the pupil: where it is wide, the figure depends on the search more than on the pupil.</p><table><tr><th>pupil</th><th>route</th><th class=n>lower</th><th class=n>estimate</th><th class=n>upper</th><th class=n>ceiling</th><th class=n>over the seeds</th><th class=n>average cost / year</th><th>frees a vehicle</th><th>offers (net year 1)</th></tr>",
        money(sv.base_per_year),
        if sv.improved.is_some() {
            format!(
                "; the searches improved the plan {} time(s)",
                sv.improvements
            )
        } else {
            String::new()
        },
        super::outputs::re_planned(sv.region_neighbours),
        sv.pupils.iter().filter(|p| p.exact).count()
    );
    for ps in &sv.pupils {
        let offers: Vec<String> = ps
            .offers
            .iter()
            .map(|o| format!("{} {}", o.offer.name(), money(o.net_first_year)))
            .collect();
        let over_seeds = match hl.pupil_estimates.get(&ps.pupil_id) {
            Some(s) if s.values.len() > 1 && s.min == s.max => money(s.min),
            Some(s) if s.values.len() > 1 => format!("{} – {}", money(s.min), money(s.max)),
            _ => String::new(),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&ps.pupil_id),
            esc(&ps.route),
            money(ps.lower_per_year),
            money(ps.marginal_per_year),
            money(ps.upper_per_year),
            ps.ceiling_per_year
                .map(money)
                .unwrap_or_else(|| "none".into()),
            over_seeds,
            money(ps.average_per_year),
            if ps.frees_vehicle { "yes" } else { "" },
            offers.join(", ")
        );
    }
    h.push_str("</table>");

    h.push_str("<h2>Route manifests</h2><div class=grid>");
    for (k, r) in d.plan.routes.iter().enumerate() {
        manifest(&mut h, k, r, d);
    }
    h.push_str("</div><h2>Pupils not on a route</h2><table><tr><th>pupil</th><th>reason</th><th>details</th></tr>");
    for u in &d.plan.unrouted {
        let _ = write!(
            h,
            r#"<tr data-pupil="{p}"><td>{p}</td><td>{}</td><td>{}</td></tr>"#,
            u.reason.code(),
            esc(&u.detail),
            p = esc(&d.sc.pupils[u.pupil].id)
        );
    }
    h.push_str("</table>");
    h.push_str(GLOSSARY);
    h.push_str("</body></html>\n");
    h
}

/// The re-planning report: the saving-versus-changes table, today's broken routes, and
/// who changes vehicle, assistant or pickup time, per route, per school and per pupil.
/// What the re-planning report's map draws: the new plan on the roads.
pub struct ChangeMap<'a> {
    /// The new plan.
    pub plan: &'a Plan,
    /// `[lat, lon]` of each matrix location.
    pub coords: &'a [[f64; 2]],
    /// The roads of each leg.
    pub lines: &'a super::RoadLines,
    /// Road polylines and whether residential.
    pub roads: Vec<(&'a [[f64; 2]], bool)>,
}

/// The map of what changed: the new plan's routes grey, the routes that take on a pupil
/// from another vehicle in colour, and the homes of the pupils who change vehicle in red.
fn changes_svg(sc: &Scenario, changes: &[crate::replan::Change], m: &ChangeMap<'_>) -> String {
    let pr = Projector::new(m.roads.iter().flat_map(|(l, _)| l.iter().copied()), 1100.0);
    let mut s = format!(
        r#"<svg class="map" viewBox="-10 -10 {:.0} {:.0}" role="img" aria-label="Map of what changed">"#,
        pr.width + 20.0,
        pr.height + 20.0
    );
    s.push_str(&roads_svg(&pr, &m.roads));
    let moved: std::collections::BTreeSet<&str> = changes
        .iter()
        .filter(|c| c.vehicle_changed)
        .map(|c| c.pupil.as_str())
        .collect();
    let receiving: std::collections::BTreeSet<&str> = changes
        .iter()
        .filter(|c| c.vehicle_changed)
        .map(|c| c.new_route.as_str())
        .collect();
    for pass in [false, true] {
        for (k, r) in m.plan.routes.iter().enumerate() {
            let Some(run) = r.am.as_ref().or(r.pm.as_ref()) else {
                continue;
            };
            let changed = receiving.contains(r.id.as_str());
            if changed != pass {
                continue;
            }
            let pts = run_points(&pr, m.lines, m.coords, run);
            let (c, w) = if changed {
                (colour(k), 2.6)
            } else {
                ("#5a6b8c".to_string(), 1.4)
            };
            let _ = write!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="{w}"><title>{}{}</title></polyline>"#,
                pts,
                esc(&r.id),
                if changed {
                    " (takes on moved pupils)"
                } else {
                    ""
                }
            );
        }
    }
    for r in &m.plan.routes {
        for (_, h) in r.halves() {
            for st in &h.stops {
                let id = sc.pupils[st.pupil].id.as_str();
                if st.place == crate::plan::Place::Home
                    && st.event == Event::Pickup
                    && moved.contains(id)
                {
                    let (x, y) = pr.xy(m.coords[st.loc]);
                    let _ = write!(
                        s,
                        r##"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="#d62728" stroke="white"><title>{} moves to {}</title></circle>"##,
                        esc(id),
                        esc(&r.id)
                    );
                }
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// The re-planning report (`report.html` of `plan --from current`).
pub fn render_changes(
    sc: &Scenario,
    checks: &[crate::replan::RouteCheck],
    table: &[(Option<u32>, usize, Pence)],
    changes: &[crate::replan::Change],
    repaired: Pence,
    map: Option<&ChangeMap<'_>>,
) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>schoolrun re-plan — {name}</title><style>
body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}}h2{{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:3px 8px;text-align:left}}td.n,th.n{{text-align:right}}tr.ch td{{background:#fff4e0}}
.map{{width:100%;height:auto;border:1px solid #ccc;background:#fafafa}}
</style></head><body><h1>Re-plan from today's routes: {name}</h1><p>Pupils by id only. Costs a year at reference prices.</p>"#,
        name = esc(&sc.name)
    );
    if let Some(m) = map {
        h.push_str("<h2>What changed</h2>");
        h.push_str(&changes_svg(sc, changes, m));
        let _ = write!(
            h,
            "<p>The new plan's morning runs along the roads: in colour the routes that take on a pupil from another vehicle, slate grey the rest; red dots are the homes of the {} pupil(s) who change vehicle. Roads © OpenStreetMap contributors (ODbL).</p>",
            changes.iter().filter(|c| c.vehicle_changed).count()
        );
    }
    h.push_str("<h2>Saving against pupils moved</h2><table><tr><th>at most</th><th class=n>moved</th><th class=n>cost a year</th><th class=n>saving</th></tr>");
    for (b, n, c) in table {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{n}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            b.map_or("unlimited".to_string(), |b| b.to_string()),
            money(*c),
            money(repaired - *c)
        );
    }
    h.push_str("</table><h2>Today's routes that break a rule</h2><table><tr><th>route</th><th>rules broken</th><th>taken off</th></tr>");
    for c in checks.iter().filter(|c| !c.violations.is_empty()) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.id),
            esc(&c.violations.join("; ")),
            esc(&c.taken_off.join(", "))
        );
    }
    let mut by_route: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut by_school: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for c in changes {
        let key = if c.new_route.is_empty() {
            "(not routed)"
        } else {
            c.new_route.as_str()
        };
        let e = by_route.entry(key).or_default();
        e.0 += 1;
        e.1 += usize::from(c.vehicle_changed);
        let e = by_school.entry(c.school.as_str()).or_default();
        e.0 += 1;
        e.1 += usize::from(c.vehicle_changed);
    }
    for (title, map) in [("Per route", &by_route), ("Per school", &by_school)] {
        let _ = write!(
            h,
            "</table><h2>{title}</h2><table><tr><th>id</th><th class=n>pupils</th><th class=n>changing vehicle</th></tr>"
        );
        for (k, (n, ch)) in map.iter() {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=n>{n}</td><td class=n>{ch}</td></tr>",
                esc(k)
            );
        }
    }
    h.push_str("</table><h2>Per pupil</h2><table><tr><th>pupil</th><th>school</th><th>today</th><th>plan</th><th>assistant today → plan</th><th>pickup today</th><th>pickup plan</th><th class=n>change (min)</th></tr>");
    for c in changes {
        let _ = write!(
            h,
            r#"<tr{cls} data-pupil="{p}"><td>{p}</td><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td><td class=n>{}</td></tr>"#,
            esc(&c.school),
            esc(&c.old_route),
            esc(&c.new_route),
            if c.old_assistant { "yes" } else { "no" },
            if c.new_assistant { "yes" } else { "no" },
            c.old_pickup,
            c.new_pickup,
            c.pickup_change_min
                .map(|m| format!("{m:+}"))
                .unwrap_or_default(),
            cls = if c.vehicle_changed { " class=ch" } else { "" },
            p = esc(&c.pupil)
        );
    }
    h.push_str("</table>");
    h.push_str(GLOSSARY);
    h.push_str("</body></html>\n");
    h
}
